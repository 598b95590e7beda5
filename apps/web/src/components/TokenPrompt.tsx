import { useState, type FormEvent } from 'react';
import { saveToken, useAuth } from '../api/auth-token';

/** Asks for an API token when the API answers 401 (an API run with AUTH_MODE=tokens). */
export function TokenPrompt() {
  const { required, reason } = useAuth();
  const [value, setValue] = useState('');
  if (!required) return null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim()) saveToken(value);
    setValue('');
  };
  return (
    <form className="banner banner-auth" aria-label="API token" onSubmit={submit}>
      <p>
        <strong>This API needs a token</strong> ({reason}). Ask its operator for one (
        <code>resnet-lab token create --scope read</code>, or <code>submit</code> to start grids); it is kept in this
        browser only.
      </p>
      <label>
        Token{' '}
        <input
          type="password"
          autoComplete="off"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          placeholder="rlt_…"
        />
      </label>{' '}
      <button type="submit">Use token</button>
    </form>
  );
}
