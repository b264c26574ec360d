import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, LOGGED_OUT, logout, whoami } from './api.js';
import { AccessContext, accessOf, operationsOf, type Access } from './access.js';
import { LoginPage } from './pages/login.js';
import { SessionsPage } from './pages/sessions.js';
import { UsersPage } from './pages/users.js';
import { TasksPage } from './pages/tasks.js';
import { RecorderPage } from './pages/recorder.js';
import { AuditPage } from './pages/audit.js';
import { ExplorerPage } from './pages/explorer.js';
import { messageOf } from './util.js';
import './style.css';

interface Page {
  path: string;
  title: string;
  view: () => preact.JSX.Element;
  /** Shown when the user holds these privileges (the API refuses the rest anyway). */
  shown(access: Access): boolean;
}

const PAGES: readonly Page[] = [
  { path: 'sessions', title: 'Sessions', view: () => <SessionsPage />, shown: (a) => a.can('vapi_auth.sessions.list') },
  { path: 'users', title: 'Users and roles', view: () => <UsersPage />, shown: (a) => a.can('vapi_auth.users.list') },
  { path: 'tasks', title: 'Tasks', view: () => <TasksPage />, shown: (a) => a.can('com.vmware.cis.tasks.list') },
  { path: 'recorder', title: 'Privilege recorder', view: () => <RecorderPage />, shown: (a) => a.can('com.vmware.vcenter.authorization.privilege_checks.list') },
  { path: 'audit', title: 'Audit', view: () => <AuditPage />, shown: (a) => a.can('vapi_auth.audit.list') },
  { path: 'explorer', title: 'API explorer', view: () => <ExplorerPage />, shown: () => true },
];

function currentPath(): string {
  return location.pathname.replace(/^\/ui\/?/, '').replace(/\/$/, '');
}

export function navigate(path: string): void {
  history.pushState(null, '', `/ui/${path}`);
  dispatchEvent(new PopStateEvent('popstate'));
}

function App() {
  const [access, setAccess] = useState<Access | null>();
  const [path, setPath] = useState(currentPath());
  const [error, setError] = useState<string>();

  /** Reads who is logged in; false when no one is. */
  const refresh = async (): Promise<boolean> => {
    try {
      const [me, operations] = await Promise.all([whoami(), operationsOf()]);
      setAccess(accessOf(me, operations));
      return true;
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 401) setAccess(null);
      else setError(messageOf(failure));
      return false;
    }
  };
  useEffect(() => {
    void refresh();
    const onPop = () => setPath(currentPath());
    const onLoggedOut = () => setAccess(null);
    addEventListener('popstate', onPop);
    addEventListener(LOGGED_OUT, onLoggedOut);
    return () => {
      removeEventListener('popstate', onPop);
      removeEventListener(LOGGED_OUT, onLoggedOut);
    };
  }, []);

  if (error) return <p role="alert" class="alert">{error}</p>;
  if (access === undefined) return <p class="loading">Loading…</p>;
  if (access === null) return <LoginPage onLoggedIn={refresh} />;

  const pages = PAGES.filter((page) => page.shown(access));
  const page = pages.find((p) => p.path === path) ?? pages[0]!;
  const out = async () => {
    await logout().catch(() => undefined);
    setAccess(null);
  };
  return (
    <AccessContext.Provider value={access}>
      <header>
        <strong>vapi-auth</strong>
        <nav>
          {pages.map((p) => (
            <a
              href={`/ui/${p.path}`}
              aria-current={p === page ? 'page' : undefined}
              onClick={(event) => {
                event.preventDefault();
                navigate(p.path);
              }}
            >
              {p.title}
            </a>
          ))}
        </nav>
        <span class="me">{access.me.user}</span>
        <button type="button" onClick={out}>
          Log out
        </button>
      </header>
      <main>
        {access.me.privileges.length === 0 ? (
          <p role="alert" class="alert">
            Your account has no access to this server (role NoAccess). Ask an administrator for a role.
          </p>
        ) : (
          <>
            <h1>{page.title}</h1>
            {page.view()}
          </>
        )}
      </main>
    </AccessContext.Provider>
  );
}

render(<App />, document.getElementById('app')!);
