import { SqliteStatementCache } from './sqlite-statement-cache.js';
import type Database from 'better-sqlite3';
import { ACTIVE_STATUSES, matchesTaskFilter } from './task-filter.js';
import type { CancelRequestResult, TaskChange, TaskFilter, TaskRecord, TaskStatus, TaskStore } from './store.js';
import { guarded } from './sqlite-guard.js';

export const TASK_SCHEMA = `
CREATE TABLE IF NOT EXISTS tasks (
  id TEXT PRIMARY KEY,
  service TEXT NOT NULL,
  user_key TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  expires_at INTEGER,
  doc TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tasks_by_service ON tasks (service, created_at);
CREATE INDEX IF NOT EXISTS tasks_by_user ON tasks (user_key, created_at);
CREATE INDEX IF NOT EXISTS tasks_active ON tasks (status, heartbeat_at);
CREATE INDEX IF NOT EXISTS tasks_by_expiry ON tasks (expires_at);
`;

interface TaskRow {
  doc: string;
}

const LIVE = '(expires_at IS NULL OR expires_at > @now)';
const ACTIVE = `status IN (${ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ')})`;


/**
 * Tasks as JSON documents with their queried fields in indexed columns. Updates read and write in
 * one IMMEDIATE transaction, so a status guard holds across processes.
 */
export class SqliteTaskStore implements TaskStore {
  /** The list statements, by the shape of their filter. */
  readonly #lists: SqliteStatementCache<[Record<string, unknown>], TaskRow>;
  readonly #insert: Database.Statement;
  readonly #get: Database.Statement<{ id: string; now: number }, TaskRow>;
  readonly #write: Database.Statement;
  readonly #orphans: Database.Statement<{ staleBefore: number; limit: number }, TaskRow>;
  readonly #update: (id: string, change: TaskChange, whileStatus: readonly TaskStatus[]) => boolean;
  readonly #requestCancel: (id: string, now: number) => CancelRequestResult;

  constructor(db: Database.Database) {
    this.#lists = new SqliteStatementCache(db);
    this.#insert = db.prepare(
      `INSERT INTO tasks (id, service, user_key, status, created_at, heartbeat_at, expires_at, doc)
       VALUES (@id, @service, @userKey, @status, @createdAt, @heartbeatAt, @expiresAt, @doc)`,
    );
    this.#get = db.prepare(`SELECT doc FROM tasks WHERE id = @id AND ${LIVE}`);
    this.#write = db.prepare(
      'UPDATE tasks SET status = @status, heartbeat_at = @heartbeatAt, expires_at = @expiresAt, doc = @doc WHERE id = @id',
    );
    this.#orphans = db.prepare(`SELECT doc FROM tasks WHERE ${ACTIVE} AND heartbeat_at < @staleBefore LIMIT @limit`);
    const read = db.prepare<[string], TaskRow>('SELECT doc FROM tasks WHERE id = ?');
    const update = db.transaction((id: string, change: TaskChange, whileStatus: readonly TaskStatus[]) => {
      const row = read.get(id);
      const task = row && (JSON.parse(row.doc) as TaskRecord);
      if (!task || !whileStatus.includes(task.status)) return false;
      this.#save({ ...task, ...change });
      return true;
    });
    this.#update = (id, change, whileStatus) => update.immediate(id, change, whileStatus);
    const requestCancel = db.transaction((id: string, now: number): CancelRequestResult => {
      const row = read.get(id);
      const task = row && (JSON.parse(row.doc) as TaskRecord);
      if (!task || (task.expiresAt !== undefined && task.expiresAt <= now)) return 'missing';
      if (!ACTIVE_STATUSES.includes(task.status)) return 'finished';
      if (!task.cancelable) return 'not_cancelable';
      if (task.cancelRequested) return 'already_requested';
      this.#save({ ...task, cancelRequested: true });
      return 'requested';
    });
    this.#requestCancel = (id, now) => requestCancel.immediate(id, now);
  }

  #params(task: TaskRecord) {
    return {
      id: task.id,
      service: task.service,
      userKey: task.userKey,
      status: task.status,
      createdAt: task.createdAt,
      heartbeatAt: task.heartbeatAt,
      expiresAt: task.expiresAt ?? null,
      doc: JSON.stringify(task),
    };
  }

  #save(task: TaskRecord): void {
    this.#write.run(this.#params(task));
  }

  create(task: TaskRecord): Promise<void> {
    return guarded(() => {
      this.#insert.run(this.#params(task));
    });
  }

  get(id: string, now: number): Promise<TaskRecord | undefined> {
    return guarded(() => {
      const row = this.#get.get({ id, now });
      return row && (JSON.parse(row.doc) as TaskRecord);
    });
  }

  update(id: string, change: TaskChange, whileStatus: readonly TaskStatus[]): Promise<boolean> {
    return guarded(() => this.#update(id, change, whileStatus));
  }

  requestCancel(id: string, now: number): Promise<CancelRequestResult> {
    return guarded(() => this.#requestCancel(id, now));
  }

  list(filter: TaskFilter, now: number, limit: number): Promise<TaskRecord[]> {
    return guarded(() => {
      // Narrow by the indexed columns in SQL; the remaining fields are checked on the documents.
      const where = [LIVE];
      const params: Record<string, unknown> = { now, limit };
      const inList = (column: string, name: string, values: readonly string[] | undefined) => {
        if (!values || values.length === 0) return;
        where.push(`${column} IN (${values.map((_, i) => `@${name}${i}`).join(', ')})`);
        values.forEach((value, i) => (params[`${name}${i}`] = value));
      };
      inList('id', 'id', filter.ids);
      inList('service', 'service', filter.services);
      inList('user_key', 'user', filter.userKeys);
      inList('status', 'status', filter.statuses);
      const rows = this.#lists.get(`SELECT doc FROM tasks WHERE ${where.join(' AND ')} ORDER BY created_at, id`).iterate(params);
      const out: TaskRecord[] = [];
      for (const row of rows) {
        const task = JSON.parse(row.doc) as TaskRecord;
        if (matchesTaskFilter(task, filter)) out.push(task);
        if (out.length >= limit) break;
      }
      return out;
    });
  }

  listOrphans(staleBefore: number, limit: number): Promise<TaskRecord[]> {
    return guarded(() => this.#orphans.all({ staleBefore, limit }).map((row) => JSON.parse(row.doc) as TaskRecord));
  }
}
