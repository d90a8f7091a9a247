import { useId } from 'react';
import type { ReactNode } from 'react';

/** What a field hands its control so label, hint and error are tied to it for screen readers and tests. */
export interface FieldControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: boolean;
}

export interface FieldProps {
  label: ReactNode;
  /** One line under the label: the format or the range expected. */
  hint?: ReactNode;
  /** Why the value is refused; shown in red under the control, which is marked invalid. */
  error?: string | null;
  /** Shown right of the control ("mm", "minutes"), or a unit selector. */
  units?: ReactNode;
  /** The control, given its id and descriptions: `{(control) => <input {...control} />}`. */
  children: (control: FieldControlProps) => ReactNode;
  className?: string;
}

/**
 * A labelled control with its hint, its error and its units: the one way a screen asks for a value,
 * so every field reads the same at the station (label above, large control, error in words below).
 */
export function Field({ label, hint, error, units, children, className }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const hasError = error !== undefined && error !== null && error !== '';
  const described = [hint === undefined ? null : hintId, hasError ? errorId : null].filter((x) => x !== null).join(' ');
  const control: FieldControlProps = {
    id,
    ...(described === '' ? {} : { 'aria-describedby': described }),
    ...(hasError ? { 'aria-invalid': true } : {}),
  };
  return (
    <div className={`ui-field${hasError ? ' ui-field-invalid' : ''}${className === undefined ? '' : ` ${className}`}`}>
      <label htmlFor={id} className="ui-field-label">
        {label}
      </label>
      {hint !== undefined && (
        <span id={hintId} className="ui-field-hint">
          {hint}
        </span>
      )}
      <div className="ui-field-control">
        {children(control)}
        {units !== undefined && <span className="ui-field-units">{units}</span>}
      </div>
      {hasError && (
        <span id={errorId} className="ui-field-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
