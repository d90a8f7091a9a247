import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import type { Manifestation } from '../../station/actions.ts';

/** What signing answered: the manifestation to show, or why it was refused. */
export type SignOutcome = { ok: true; manifestation: Manifestation } | { ok: false; message: string };

export interface SignatureDialogProps {
  title: ReactNode;
  /** What is being signed for: the hold, the conflict. */
  subject: ReactNode;
  /** The meaning the signature carries (21 CFR 11.50), stated before signing. */
  meaning: string;
  reasonLabel: string;
  /** Said when the reason is left empty. */
  reasonRequired: string;
  submitLabel: string;
  /** Records the signed action; both components (badge and PIN) are asked at every signing. */
  onSign: (signature: { badge: string; pin: string; reason: string }) => Promise<SignOutcome>;
  onSigned: (manifestation: Manifestation) => void;
  onCancel: () => void;
}

/**
 * An electronic signature: the meaning stated before signing, a typed reason, and badge and PIN
 * again. A refusal clears the PIN and says why; a write that fails is never silent.
 */
export function SignatureDialog(props: SignatureDialogProps) {
  const { onCancel } = props;
  const id = useId();
  const [reason, setReason] = useState('');
  const [badge, setBadge] = useState('');
  const [pin, setPin] = useState('');
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const reasonField = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    reasonField.current?.focus();
    const escape = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onCancel();
    };
    window.addEventListener('keydown', escape);
    return () => window.removeEventListener('keydown', escape);
  }, [onCancel]);

  async function sign(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    if (reason.trim() === '') {
      setRefusal(props.reasonRequired);
      reasonField.current?.focus();
      return;
    }
    setBusy(true);
    try {
      const result = await props.onSign({ badge: badge.trim(), pin, reason });
      if (result.ok) {
        props.onSigned(result.manifestation);
        return;
      }
      setPin('');
      setRefusal(result.message);
    } catch (error) {
      setRefusal(`Not recorded: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="dialog-backdrop">
      <div role="dialog" aria-modal="true" aria-labelledby={`${id}-title`} aria-describedby={`${id}-meaning`} className="dialog">
        <h2 id={`${id}-title`}>{props.title}</h2>
        {props.subject}
        <p id={`${id}-meaning`} className="meaning">
          Your signature means: <strong>{props.meaning}</strong>. It is recorded with your printed name, the date and time, and
          the reason you type, and cannot be reused on another record.
        </p>
        <form className="form" onSubmit={(event) => void sign(event)} noValidate>
          <label className="field">
            <span>{props.reasonLabel}</span>
            <textarea ref={reasonField} value={reason} onChange={(e) => setReason(e.target.value)} rows={3} maxLength={2000} aria-required="true" />
          </label>
          <label className="field">
            <span>Badge</span>
            <input value={badge} onChange={(e) => setBadge(e.target.value)} autoComplete="off" autoCapitalize="characters" aria-required="true" />
          </label>
          <label className="field">
            <span>PIN</span>
            <input type="password" inputMode="numeric" value={pin} onChange={(e) => setPin(e.target.value)} autoComplete="off" aria-required="true" />
          </label>
          {refusal !== null && (
            <div role="alert" className="refusal">
              {refusal}
            </div>
          )}
          <div className="actions">
            <button type="submit" className="button primary" disabled={busy}>
              {props.submitLabel}
            </button>
            <button type="button" className="button" onClick={onCancel}>
              Cancel
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
