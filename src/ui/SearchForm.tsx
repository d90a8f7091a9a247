import type { ReactNode } from 'react';
import { Field } from './Field.tsx';

export interface SearchFormProps {
  /** The field's label, which is also the search box's name ("Lot or serial"). */
  label: string;
  /** One line under the label: what may be typed or scanned, with an example. */
  hint?: ReactNode;
  /** An example in the empty box, where a screen has no room for a hint line. */
  placeholder?: string;
  value: string;
  onChange: (value: string) => void;
  /**
   * Asked when the form is submitted, with what is typed and the `value` of the button that
   * submitted it (null for Enter in the field or a button without one): a form with two questions
   * ("Where used", "Where from") tells them apart so.
   */
  onSearch: (text: string, submitter: string | null) => void;
  /** The submit buttons, and anything that also reads an identifier (a camera). */
  children: ReactNode;
}

/**
 * A look-up by identifier: one search box (type or scan a serial, lot or work order) and the buttons
 * that ask, on one row that wraps under the box on a narrow screen. The one way a screen looks
 * something up, so every look-up reads and behaves the same.
 */
export function SearchForm({ label, hint, placeholder, value, onChange, onSearch, children }: SearchFormProps) {
  return (
    <form
      className="ui-search"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        onSearch(value, event.nativeEvent.submitter?.getAttribute('value') ?? null);
      }}
    >
      <Field label={label} {...(hint === undefined ? {} : { hint })}>
        {(control) => (
          <input
            {...control}
            type="search"
            {...(placeholder === undefined ? {} : { placeholder })}
            value={value}
            onChange={(event) => onChange(event.target.value)}
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
          />
        )}
      </Field>
      {children}
    </form>
  );
}
