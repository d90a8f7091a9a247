import { createContext, useContext } from 'react';

/** What the last action came to, in words: done, refused (and why), or something to know. */
export interface Outcome {
  kind: 'success' | 'refusal' | 'info';
  message: string;
}

export interface OutcomeContextValue {
  outcome: Outcome | null;
  /** Counts messages, so the same refusal twice in a row is drawn and announced again. */
  seq: number;
  /** Replaces whatever was shown: the newest outcome is the only one in view. */
  show: (outcome: Outcome) => void;
  clear: () => void;
}

export const OutcomeContext = createContext<OutcomeContextValue | null>(null);

/** The screen's message area: every action of the screen reports here, in one place. */
export function useOutcome(): OutcomeContextValue {
  const value = useContext(OutcomeContext);
  if (value === null) throw new Error('useOutcome outside an OutcomeProvider');
  return value;
}
