import './scan-feedback.css';
import type { ScanVerdict } from '../../scan/feedback.ts';
import { signalScan } from '../../scan/feedback.ts';

/** Sound, full-screen colour and vibration for a scan's verdict (see src/scan/feedback.ts). */
export function scanFeedback(verdict: ScanVerdict): void {
  signalScan(verdict);
}
