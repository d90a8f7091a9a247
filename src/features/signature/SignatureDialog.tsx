import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import type { Manifestation } from '../../station/actions.ts';
import { Button, Dialog, Field } from '../../ui/index.ts';

/** What signing answered: the manifestation to show, or why it was refused. */
export type SignOutcome = { ok: true; manifestation: Manifestation } | { ok: false; message: string };

export interface SignatureDialogProps {
  title: ReactNode;
  /** What is being signed for: the hold, the conflict. Kept in view in the dialog's header. */
  subject: ReactNode;
  /** The meaning the signature carries (21 CFR 11.50), stated before signing. */
  meaning: string;
  reasonLabel: string;
  /** Fields of the signed record asked before the reason (a disposition's kind and quantity), if any. */
  children?: ReactNode;
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
 * again. A refusal clears the PIN and says why; a write that fails is never silent. On the shared
 * Dialog, so what is signed for and the buttons stay in view on any screen.
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
  }, []);

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
    <Dialog
      title={props.title}
      about={props.subject}
      describedBy={`${id}-meaning`}
      onClose={onCancel}
      onSubmit={(event) => void sign(event)}
      actions={
        <>
          <Button type="submit" variant="primary" busy={busy}>
            {props.submitLabel}
          </Button>
          <Button onClick={onCancel}>Cancel</Button>
        </>
      }
    >
      <p id={`${id}-meaning`} className="meaning">
        Your signature means: <strong>{props.meaning}</strong>. It is recorded with your printed name, the date and time, and the reason you
        type, and cannot be reused on another record.
      </p>
      {refusal !== null && (
        <div role="alert" className="ui-message ui-message-refusal signature-refusal">
          {refusal}
        </div>
      )}
      {props.children}
      <Field label={props.reasonLabel}>
        {(control) => (
          <textarea {...control} ref={reasonField} value={reason} onChange={(e) => setReason(e.target.value)} rows={2} maxLength={2000} aria-required="true" />
        )}
      </Field>
      <div className="signature-credentials">
        <Field label="Badge">
          {(control) => <input {...control} value={badge} onChange={(e) => setBadge(e.target.value)} autoComplete="off" autoCapitalize="characters" aria-required="true" />}
        </Field>
        <Field label="PIN">
          {(control) => (
            <input {...control} type="password" inputMode="numeric" value={pin} onChange={(e) => setPin(e.target.value)} autoComplete="off" aria-required="true" />
          )}
        </Field>
      </div>
    </Dialog>
  );
}
