import { useEffect, useId } from 'react';
import type { FormEvent, ReactNode } from 'react';

export interface DialogProps {
  title: ReactNode;
  /** What the dialog is about (the hold, the conflict): kept in the header, always in view. */
  about?: ReactNode;
  /** The body; it scrolls on its own when the screen is short, header and actions stay put. */
  children: ReactNode;
  /** The buttons, always in view at the bottom. */
  actions: ReactNode;
  onClose: () => void;
  /** When given, body and actions are one form submitted by the primary button or Enter. */
  onSubmit?: (event: FormEvent<HTMLFormElement>) => void;
  /** Id of the text that states what the dialog does (announced with the title). */
  describedBy?: string;
}

/**
 * A modal that fits the screen at 1280×800 and 800×1280: the header (title and what it is about)
 * and the actions never scroll away; only the body between them scrolls. Escape closes it.
 */
export function Dialog({ title, about, children, actions, onClose, onSubmit, describedBy }: DialogProps) {
  const id = useId();
  useEffect(() => {
    const escape = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', escape);
    return () => window.removeEventListener('keydown', escape);
  }, [onClose]);

  const inner = (
    <>
      <div className="ui-dialog-body">{children}</div>
      <div className="ui-dialog-actions">{actions}</div>
    </>
  );
  return (
    <div className="ui-dialog-backdrop">
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        {...(describedBy === undefined ? {} : { 'aria-describedby': describedBy })}
        className="ui-dialog"
      >
        <header className="ui-dialog-header">
          <h2 id={`${id}-title`} className="ui-dialog-title">
            {title}
          </h2>
          {about !== undefined && (
            <div className="ui-dialog-about" data-testid="dialog-about">
              {about}
            </div>
          )}
        </header>
        {onSubmit === undefined ? (
          inner
        ) : (
          <form className="ui-dialog-form" onSubmit={onSubmit} noValidate>
            {inner}
          </form>
        )}
      </div>
    </div>
  );
}
