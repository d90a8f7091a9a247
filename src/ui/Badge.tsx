import type { ReactNode } from 'react';

export type BadgeTone = 'pass' | 'fail' | 'hold' | 'warn' | 'info' | 'neutral';

/** A status in a word, coloured by its tone: the word carries the meaning, the colour only helps. */
export function Badge({ tone = 'neutral', children, className }: { tone?: BadgeTone; children: ReactNode; className?: string }) {
  return <span className={`ui-badge ui-badge-${tone}${className === undefined ? '' : ` ${className}`}`}>{children}</span>;
}
