import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The file of a record: its id when that makes a plain file name, else a digest of it; then `suffix`. */
export function recordFileName(id: string, suffix: string): string {
  return (/^[\w-]{1,100}$/.test(id) ? id : `h-${createHash('sha256').update(id).digest('hex').slice(0, 40)}`) + suffix;
}

/** One file of a record folder, as listed. */
export interface FolderFile {
  readonly name: string;
  /** Changes whenever the file is written (by anyone): its inode, time and size. */
  readonly stamp: string;
  readonly size: number;
  /** When it was last written, in µs (orders records saved in the same millisecond). */
  readonly mtime: number;
}

/**
 * A folder of small files that several processes (VS Code windows) share: each file is written whole
 * (write to a temporary file, then rename over), so a reader sees the old content or the new, never a mix,
 * and a write touches only its own file.
 */
export interface RecordFolder {
  /** Cheap: changes when a file is added, replaced or removed (the folder's own times). */
  token(): string;
  list(suffix: string): FolderFile[];
  stat(name: string): FolderFile | undefined;
  read(name: string): string | undefined;
  write(name: string, text: string): Promise<void>;
  /** Creates the file only when there is none: false when one exists. */
  create(name: string, text: string): Promise<boolean>;
  remove(name: string): Promise<void>;
  /**
   * Calls `onChange` soon after a file changes (this process's writes too), with its name when known: a
   * reader compares that file's stamp with what it read, without listing the folder again.
   */
  watch(onChange: (name?: string) => void): { dispose(): void };
}

/** A record folder on disk (under VS Code's `globalStorageUri` in the extension). */
export class DiskFolder implements RecordFolder {
  private made = false;

  constructor(readonly dir: string) {}

  token(): string {
    try {
      const s = fs.statSync(this.dir, { bigint: true });
      return `${s.mtimeNs}:${s.ctimeNs}`;
    } catch {
      return 'none';
    }
  }

  list(suffix: string): FolderFile[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return [];
    }
    const files: FolderFile[] = [];
    for (const name of names) {
      if (!name.endsWith(suffix) || name.startsWith('.')) continue;
      const file = this.stat(name);
      if (file) files.push(file);
    }
    return files;
  }

  stat(name: string): FolderFile | undefined {
    try {
      const s = fs.statSync(path.join(this.dir, name), { bigint: true });
      return { name, stamp: `${s.ino}:${s.mtimeNs}:${s.size}`, size: Number(s.size), mtime: Number(s.mtimeNs / 1000n) };
    } catch {
      return undefined; // removed meanwhile
    }
  }

  read(name: string): string | undefined {
    try {
      return fs.readFileSync(path.join(this.dir, name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async write(name: string, text: string): Promise<void> {
    await this.ensureDir();
    const temp = path.join(this.dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
    // Synchronous: a record is small, and a save done in one step costs no trips through the thread pool
    // (which a busy extension host makes slow) and is on disk before anything else runs.
    try {
      fs.writeFileSync(temp, text, 'utf8');
      fs.renameSync(temp, path.join(this.dir, name));
    } catch (error) {
      fs.rmSync(temp, { force: true });
      throw error;
    }
  }

  async create(name: string, text: string): Promise<boolean> {
    await this.ensureDir();
    // Written aside first, then linked in: the name appears with its whole content or not at all.
    const temp = path.join(this.dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
    await fs.promises.writeFile(temp, text, 'utf8');
    try {
      await fs.promises.link(temp, path.join(this.dir, name));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      // A file system without hard links: an exclusive create (a reader may see it empty for a moment).
      return await fs.promises.writeFile(path.join(this.dir, name), text, { flag: 'wx' }).then(
        () => true,
        (e: NodeJS.ErrnoException) => {
          if (e.code === 'EEXIST') return false;
          throw e;
        },
      );
    } finally {
      await fs.promises.rm(temp, { force: true });
    }
  }

  async remove(name: string): Promise<void> {
    await fs.promises.rm(path.join(this.dir, name), { force: true });
  }

  watch(onChange: (name?: string) => void): { dispose(): void } {
    let watcher: fs.FSWatcher | undefined;
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      watcher = fs.watch(this.dir, { persistent: false }, (_event, name) => onChange(name ?? undefined));
      watcher.on('error', () => watcher?.close());
    } catch {
      // No watching here (some file systems): readers still see changes through `token`.
    }
    return { dispose: () => watcher?.close() };
  }

  private async ensureDir(): Promise<void> {
    if (this.made) return;
    await fs.promises.mkdir(this.dir, { recursive: true });
    this.made = true;
  }
}

/** A record folder in memory, for tests and for the services outside VS Code. */
export class MemoryFolder implements RecordFolder {
  private readonly files = new Map<string, { text: string; stamp: string; size: number }>();
  private changes = 0;
  private readonly watchers = new Set<(name?: string) => void>();

  token(): string {
    return String(this.changes);
  }

  list(suffix: string): FolderFile[] {
    return [...this.files.keys()].filter((name) => name.endsWith(suffix)).map((name) => this.stat(name)!);
  }

  stat(name: string): FolderFile | undefined {
    const f = this.files.get(name);
    return f && { name, stamp: f.stamp, size: f.size, mtime: Number(f.stamp) };
  }

  read(name: string): string | undefined {
    return this.files.get(name)?.text;
  }

  async write(name: string, text: string): Promise<void> {
    this.files.set(name, { text, stamp: String(++this.changes), size: Buffer.byteLength(text, 'utf8') });
    this.changed(name);
  }

  async create(name: string, text: string): Promise<boolean> {
    if (this.files.has(name)) return false;
    await this.write(name, text);
    return true;
  }

  async remove(name: string): Promise<void> {
    if (this.files.delete(name)) {
      this.changes++;
      this.changed(name);
    }
  }

  watch(onChange: (name?: string) => void): { dispose(): void } {
    this.watchers.add(onChange);
    return { dispose: () => this.watchers.delete(onChange) };
  }

  private changed(name: string): void {
    for (const watcher of this.watchers) setImmediate(() => watcher(name));
  }
}
