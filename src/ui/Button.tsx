import { useId } from 'react';
import type { ButtonHTMLAttributes, ReactNode } from 'react';

export type ButtonVariant = 'primary' | 'secondary' | 'danger';

export interface ButtonProps extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'disabled'> {
  variant?: ButtonVariant;
  /** A taller button for the one action a screen is for (start, complete, sign in). */
  big?: boolean;
  /**
   * Why the action is not possible now. When given the button is disabled and the reason is shown
   * under it in words: a greyed-out button alone leaves a person guessing.
   */
  disabledReason?: string | null;
  /** Disabled while the action runs, without a reason to show (it is under way). */
  busy?: boolean;
  children: ReactNode;
}

/** The one button: primary for the next possible action, secondary for the others, danger for what cannot be undone. */
export function Button({ variant = 'secondary', big = false, disabledReason, busy = false, className, children, type = 'button', ...rest }: ButtonProps) {
  const reasonId = useId();
  const blocked = disabledReason !== undefined && disabledReason !== null && disabledReason !== '';
  const classes = ['ui-button', `ui-button-${variant}`, big ? 'ui-button-big' : null, className ?? null].filter((c) => c !== null).join(' ');
  const button = (
    <button
      {...rest}
      type={type}
      className={classes}
      disabled={blocked || busy}
      aria-busy={busy || undefined}
      {...(blocked ? { 'aria-describedby': reasonId } : {})}
    >
      {children}
    </button>
  );
  if (!blocked) return button;
  return (
    <span className="ui-button-with-reason">
      {button}
      <span id={reasonId} className="ui-button-reason">
        {disabledReason}
      </span>
    </span>
  );
}
