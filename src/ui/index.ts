/**
 * The station's shared screen primitives. Screens compose these and keep their own CSS for layout
 * only, so a field, a button, a message or a dialog looks and behaves the same on every screen.
 */
import './ui.css';

export { Badge } from './Badge.tsx';
export type { BadgeTone } from './Badge.tsx';
export { Button } from './Button.tsx';
export type { ButtonProps, ButtonVariant } from './Button.tsx';
export { Dialog } from './Dialog.tsx';
export type { DialogProps } from './Dialog.tsx';
export { Field } from './Field.tsx';
export type { FieldControlProps, FieldProps } from './Field.tsx';
export { MessageArea, OutcomeProvider } from './MessageArea.tsx';
export { SearchForm } from './SearchForm.tsx';
export type { SearchFormProps } from './SearchForm.tsx';
export { useOutcome } from './outcome.ts';
export type { Outcome, OutcomeContextValue } from './outcome.ts';
