import { useState } from 'preact/hooks';
import { api, segment } from '../api.js';
import { useAccess } from '../access.js';
import { Alert, time, useAction, usePolling, Table, submitted } from '../util.js';

interface UserInfo {
  user: string;
  created_time: string;
  locked: boolean;
}
interface RoleInfo {
  role: string;
  system: boolean;
  privileges: string[];
}
interface PermissionInfo {
  principal: string;
  group: boolean;
  role: string;
}
interface PrivilegeInfo {
  privilege: string;
  description?: string;
}

interface Data {
  users: UserInfo[];
  roles: RoleInfo[];
  permissions: PermissionInfo[];
  privileges: PrivilegeInfo[];
}

async function load(): Promise<Data> {
  const [users, roles, permissions, privileges] = await Promise.all([
    api<UserInfo[]>('GET', '/vapi-auth/users'),
    api<RoleInfo[]>('GET', '/vapi-auth/roles'),
    api<PermissionInfo[]>('GET', '/vapi-auth/permissions'),
    api<PrivilegeInfo[]>('GET', '/vapi-auth/privileges'),
  ]);
  return { users, roles, permissions, privileges };
}

/** The privileges as checkboxes. */
function PrivilegePicker({ all, chosen, onChange }: { all: PrivilegeInfo[]; chosen: Set<string>; onChange: (next: Set<string>) => void }) {
  return (
    <fieldset class="privileges">
      <legend>Privileges</legend>
      {all.map((p) => (
        <label title={p.description}>
          <input
            type="checkbox"
            checked={chosen.has(p.privilege)}
            onChange={(e) => {
              const next = new Set(chosen);
              if (e.currentTarget.checked) next.add(p.privilege);
              else next.delete(p.privilege);
              onChange(next);
            }}
          />
          {p.privilege}
        </label>
      ))}
    </fieldset>
  );
}

function RoleSelect({ roles, value, onChange, label }: { roles: RoleInfo[]; value: string; onChange: (role: string) => void; label: string }) {
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
      <option value="">(none)</option>
      {roles.map((r) => (
        <option value={r.role}>{r.role}</option>
      ))}
    </select>
  );
}

function Users({ data, reload }: { data: Data; reload: () => void }) {
  const access = useAccess();
  const action = useAction();
  const manage = access.can('vapi_auth.users.create');
  const setRoles = access.can('vapi_auth.permissions.set');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState('');
  const [resetting, setResetting] = useState<string>();
  const [newPassword, setNewPassword] = useState('');
  const roleOf = (user: string) => data.permissions.find((p) => !p.group && p.principal.toLowerCase() === user.toLowerCase())?.role ?? '';
  const add = () =>
    action.run(async () => {
      await api('POST', '/vapi-auth/users', { user: name, password });
      if (role) await api('PUT', `/vapi-auth/permissions/${segment(name)}`, { role });
      setName('');
      setPassword('');
    }, reload);
  const changeRole = (user: string, next: string) =>
    action.run(
      () => (next ? api('PUT', `/vapi-auth/permissions/${segment(user)}`, { role: next }) : api('DELETE', `/vapi-auth/permissions/${segment(user)}`)),
      reload,
    );
  return (
    <section aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      <Alert text={action.error} />
      <Table headers={['User', 'Created', 'Role', 'State', '']}>
          {data.users.map((u) => (
            <tr data-user={u.user}>
              <td>{u.user}</td>
              <td>{time(u.created_time)}</td>
              <td>{setRoles ? <RoleSelect label={`Role of ${u.user}`} roles={data.roles} value={roleOf(u.user)} onChange={(r) => changeRole(u.user, r)} /> : roleOf(u.user) || '—'}</td>
              <td>{u.locked ? 'locked' : 'active'}</td>
              <td class="actions">
                {manage && u.locked ? (
                  <button type="button" onClick={() => action.run(() => api('POST', `/vapi-auth/users/${segment(u.user)}?action=unlock`), reload)}>
                    Unlock
                  </button>
                ) : null}
                {manage && resetting !== u.user ? (
                  <button type="button" onClick={() => setResetting(u.user)}>
                    Reset password
                  </button>
                ) : null}
                {manage && resetting === u.user ? (
                  <form
                    onSubmit={submitted(() => action.run(() => api('POST', `/vapi-auth/users/${segment(u.user)}?action=set-password`, { password: newPassword }), () => {
                        setResetting(undefined);
                        setNewPassword('');
                      }))}
                  >
                    <input type="password" aria-label="New password" value={newPassword} onInput={(e) => setNewPassword(e.currentTarget.value)} />
                    <button type="submit">Set password</button>
                  </form>
                ) : null}
                {manage ? (
                  <button type="button" class="danger" onClick={() => action.run(() => api('DELETE', `/vapi-auth/users/${segment(u.user)}`), reload)}>
                    Remove
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </Table>
      {manage ? (
        <form
          class="inline"
          onSubmit={submitted(() => add())}
        >
          <input aria-label="New user name" placeholder="name@vsphere.local" value={name} onInput={(e) => setName(e.currentTarget.value)} required />
          <input aria-label="New user password" type="password" placeholder="password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required />
          <RoleSelect label="New user role" roles={data.roles} value={role} onChange={setRole} />
          <button type="submit">Add user</button>
        </form>
      ) : null}
    </section>
  );
}

function Roles({ data, reload }: { data: Data; reload: () => void }) {
  const access = useAccess();
  const action = useAction();
  const modify = access.can('vapi_auth.roles.create');
  const [editing, setEditing] = useState<string>();
  const [chosen, setChosen] = useState(new Set<string>());
  const [name, setName] = useState('');
  const save = () =>
    action.run(
      () => (editing === '' ? api('POST', '/vapi-auth/roles', { role: name, privileges: [...chosen] }) : api('PUT', `/vapi-auth/roles/${segment(editing!)}`, { privileges: [...chosen] })),
      () => {
        setEditing(undefined);
        setName('');
        reload();
      },
    );
  return (
    <section aria-labelledby="roles-title">
      <h2 id="roles-title">Roles</h2>
      <Alert text={action.error} />
      <Table headers={['Role', 'Privileges', '']}>
          {data.roles.map((r) => (
            <tr data-role={r.role}>
              <td>
                {r.role}
                {r.system ? <span class="badge">system</span> : null}
              </td>
              <td class="chips">{r.privileges.length > 12 ? `${r.privileges.length} privileges` : r.privileges.join(', ') || '—'}</td>
              <td class="actions">
                {modify && !r.system ? (
                  <>
                    <button
                      type="button"
                      onClick={() => {
                        setEditing(r.role);
                        setChosen(new Set(r.privileges));
                      }}
                    >
                      Edit
                    </button>
                    <button type="button" class="danger" onClick={() => action.run(() => api('DELETE', `/vapi-auth/roles/${segment(r.role)}`), reload)}>
                      Remove
                    </button>
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </Table>
      {modify && editing === undefined ? (
        <button
          type="button"
          onClick={() => {
            setEditing('');
            setChosen(new Set());
          }}
        >
          Create role
        </button>
      ) : null}
      {modify && editing !== undefined ? (
        <form
          class="role-editor"
          onSubmit={submitted(() => save())}
        >
          {editing === '' ? <input aria-label="Role name" placeholder="Role name" value={name} onInput={(e) => setName(e.currentTarget.value)} required /> : <h3>{editing}</h3>}
          <PrivilegePicker all={data.privileges} chosen={chosen} onChange={setChosen} />
          <button type="submit">Save role</button>
          <button type="button" onClick={() => setEditing(undefined)}>
            Cancel
          </button>
        </form>
      ) : null}
    </section>
  );
}

function Permissions({ data, reload }: { data: Data; reload: () => void }) {
  const access = useAccess();
  const action = useAction();
  const modify = access.can('vapi_auth.permissions.set');
  const [principal, setPrincipal] = useState('');
  const [group, setGroup] = useState(false);
  const [role, setRole] = useState('');
  return (
    <section aria-labelledby="permissions-title">
      <h2 id="permissions-title">Permissions</h2>
      <Alert text={action.error} />
      <Table headers={['Principal', 'Kind', 'Role', '']}>
          {data.permissions.map((p) => (
            <tr data-permission={p.principal}>
              <td>{p.principal}</td>
              <td>{p.group ? 'group' : 'user'}</td>
              <td>{p.role}</td>
              <td>
                {modify ? (
                  <button
                    type="button"
                    class="danger"
                    onClick={() => action.run(() => api('DELETE', `/vapi-auth/permissions/${segment(p.principal)}${p.group ? '?group=true' : ''}`), reload)}
                  >
                    Remove
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </Table>
      {modify ? (
        <form
          class="inline"
          onSubmit={submitted(() => action.run(() => api('PUT', `/vapi-auth/permissions/${segment(principal)}`, { group, role }), reload))}
        >
          <input aria-label="Principal" placeholder="user or group (name@domain)" value={principal} onInput={(e) => setPrincipal(e.currentTarget.value)} required />
          <label>
            <input type="checkbox" checked={group} onChange={(e) => setGroup(e.currentTarget.checked)} /> group
          </label>
          <RoleSelect label="Permission role" roles={data.roles} value={role} onChange={setRole} />
          <button type="submit">Give role</button>
        </form>
      ) : null}
    </section>
  );
}

/** Local users, roles and permissions; each action only where the user's privileges allow it. */
export function UsersPage() {
  const data = usePolling(load, 5000);
  return (
    <>
      <Alert text={data.error} />
      {data.data ? (
        <>
          <Users data={data.data} reload={data.reload} />
          <Roles data={data.data} reload={data.reload} />
          <Permissions data={data.data} reload={data.reload} />
        </>
      ) : null}
    </>
  );
}
