/** Durations in configuration: a number and a unit, `90s`, `15m`, `24h`, `7d`. */
const UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The milliseconds of a duration such as `24h`; throws naming the variable when it is not one. */
export function parseDuration(text: string, variable: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$/.exec(text);
  const unit = match?.[2] === undefined ? undefined : UNITS[match[2]];
  if (match?.[1] === undefined || unit === undefined || Number(match[1]) <= 0) {
    throw new Error(`${variable} must be a duration such as 90s, 15m, 24h or 7d, got "${text}"`);
  }
  return Number(match[1]) * unit;
}
