import { useState } from 'preact/hooks';
import { login } from '../api.js';
import { Alert, messageOf } from '../util.js';

export function LoginPage({ onLoggedIn }: { onLoggedIn: () => Promise<boolean> }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      await login(user, password);
      setPassword('');
      // The session cookie is Secure: a browser drops it from a plain-HTTP page that is not on this machine.
      if (!(await onLoggedIn())) setError('The browser did not keep the session cookie: open the console over HTTPS (or on localhost).');
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <h1>vapi-auth console</h1>
      <form onSubmit={submit}>
        <label>
          User name
          <input name="username" autocomplete="username" value={user} onInput={(e) => setUser(e.currentTarget.value)} required />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required />
        </label>
        <button type="submit" disabled={busy}>
          Log in
        </button>
        <Alert text={error} />
      </form>
      <p class="hint">Local users (administrator@vsphere.local) and directory users (ann@example.com, EXAMPLE\ann).</p>
    </main>
  );
}
