import { useCallback, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import type { Outcome, OutcomeContextValue } from './outcome.ts';
import { OutcomeContext, useOutcome } from './outcome.ts';

/**
 * Holds a screen's newest outcome. Each action replaces the previous message rather than adding
 * one, so what is in view is always about the last thing the person did. A new screen starts empty.
 */
export function OutcomeProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<{ outcome: Outcome | null; seq: number }>({ outcome: null, seq: 0 });
  const show = useCallback((outcome: Outcome) => setState((s) => ({ outcome, seq: s.seq + 1 })), []);
  const clear = useCallback(() => setState((s) => ({ outcome: null, seq: s.seq + 1 })), []);
  const value = useMemo<OutcomeContextValue>(() => ({ outcome: state.outcome, seq: state.seq, show, clear }), [state, show, clear]);
  return <OutcomeContext.Provider value={value}>{children}</OutcomeContext.Provider>;
}

const MARK: Record<Outcome['kind'], string> = { success: '✓', refusal: '✗', info: 'ℹ' };
const WORD: Record<Outcome['kind'], string> = { success: 'Done', refusal: 'Refused', info: 'Note' };

/**
 * The one place a screen shows its newest outcome: large, in words and colour, and kept in view
 * (it sticks to the top of the screen while the page scrolls) until the next action replaces it.
 * A refusal is an alert; a success or a note is a polite status.
 */
export function MessageArea() {
  const { outcome, seq } = useOutcome();
  if (outcome === null) return null;
  return (
    <div
      key={seq}
      className={`ui-message ui-message-${outcome.kind}`}
      role={outcome.kind === 'refusal' ? 'alert' : 'status'}
      data-testid="message-area"
    >
      <span className="ui-message-mark" aria-hidden="true">
        {MARK[outcome.kind]}
      </span>
      <span className="ui-message-word">{WORD[outcome.kind]}</span>
      <span className="ui-message-text">{outcome.message}</span>
    </div>
  );
}
