import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { WorkflowDeps } from '../workflows/deps';
import { webviewPage } from './webviewPage';

/** Where built webview scripts live (esbuild's `webviews` entries) and where their static assets live. */
const WEBVIEW_SCRIPT_ROOT = ['dist', 'webview'] as const;
const WEBVIEW_STYLE_ROOT = ['media'] as const;

/** Options for a webview that runs Visen's scripts, limited to the built assets. */
function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [
      vscode.Uri.joinPath(extensionUri, ...WEBVIEW_SCRIPT_ROOT),
      vscode.Uri.joinPath(extensionUri, ...WEBVIEW_STYLE_ROOT),
    ],
  };
}

/**
 * The page that hosts a form's bundle (see webviewPage) with this webview's addresses, a fresh nonce, the
 * shared controls' stylesheet before the form's own, and the translations of VS Code's language.
 */
function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, script: string, style: string, title: string): string {
  const asUri = (root: readonly string[], segments: readonly string[]) =>
    webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...root, ...segments)).toString();
  return webviewPage({
    nonce: randomBytes(16).toString('base64'),
    cspSource: webview.cspSource,
    scriptUri: asUri(WEBVIEW_SCRIPT_ROOT, [script]),
    styleUris: [
      ['webview', 'shared', 'form.css'],
      ['webview', style],
    ].map((segments) => asUri(WEBVIEW_STYLE_ROOT, segments)),
    title,
    lang: vscode.env.language || 'en',
    // Undefined when VS Code runs in English or Visen has no bundle for its language: the source strings stand.
    l10nBundle: vscode.l10n.bundle ?? {},
  });
}

/** What a panel needs of a form's host side (its controller). */
export interface FormHost extends vscode.Disposable {
  handle(message: unknown): Promise<void>;
  /** The webview is gone (the tab was hidden): nothing reaches it until it says `ready` again. */
  detach(): void;
}

/** What a form may ask of the panel it is in. */
interface FormPanelHooks {
  /** The form now shows something else (step 1 made a connection): retitled, or closed for the panel already open on it. */
  changed(): void;
  /** What it showed is gone: the panel closes. */
  close(): void;
}

/**
 * One form, as configuration of the generic panel: its view type, bundle and stylesheet, how its host side
 * is made, its title, and what it shows (so a second panel for the same thing is not opened). `A` is what a
 * panel opens with (e.g. a connection id).
 */
export interface FormSpec<C extends FormHost, A> {
  readonly viewType: string;
  /** Under dist/webview, e.g. 'connection.js'. */
  readonly script: string;
  /** Under media/webview, loaded after the shared form.css, e.g. 'connection.css'. */
  readonly style: string;
  create(deps: WorkflowDeps, post: (message: unknown) => Thenable<boolean>, args: A, hooks: FormPanelHooks): C;
  title(form: C): string;
  /** What a form shows: two panels never show the same; undefined for a blank form. */
  shows(form: C): string | undefined;
  /** What a form opened with `args` will show. */
  willShow(args: A): string | undefined;
  /** What a panel VS Code restored after a reload opens with (`isOpen`: a panel shows it already); undefined closes it. */
  restore(state: unknown, deps: WorkflowDeps, isOpen: (shows: string | undefined) => boolean): A | undefined;
  /** Events after which the titles are computed again (e.g. a connection renamed). */
  titleChanges?(deps: WorkflowDeps, retitle: () => void): vscode.Disposable;
}

/**
 * How long a new form has to say `ready` before Visen makes its panel again. VS Code's webview host sometimes
 * leaves a new page blank (its console: "Found unexpected service worker controller … Waiting for
 * controllerchange"), mostly right after a form of the same kind was closed; a new panel comes up. Tests
 * shorten the wait and hold back `ready` (`holdBack`: the pages of the first so many attempts never reach
 * the form, as if they stayed blank).
 */
export const formReadiness = { timeoutMs: 5000, holdBack: 0 };

const isReady = (message: unknown): boolean =>
  typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'ready';

/** One form in an editor tab: webview options, page, message routing, detach when hidden, disposal. */
class FormPanel<C extends FormHost, A> {
  readonly form: C;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The page has said `ready` at least once: it came up. */
  private cameUp = false;
  private watchdog: ReturnType<typeof setTimeout> | undefined;

  /** `attempt`: 0 for a new form, 1 for one made again because the first stayed blank. */
  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly owner: FormPanels<C, A>,
    readonly args: A,
    readonly attempt = 0,
  ) {
    const { spec, deps, extensionUri } = owner;
    panel.webview.options = webviewOptions(extensionUri);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'visen.svg');
    this.form = spec.create(deps, (message) => panel.webview.postMessage(message), args, {
      changed: () => owner.changed(this),
      close: () => panel.dispose(),
    });
    this.retitle();
    panel.webview.html = webviewHtml(panel.webview, extensionUri, spec.script, spec.style, panel.title);
    this.subscriptions.push(
      this.form,
      panel.webview.onDidReceiveMessage((message: unknown) => {
        if (isReady(message)) {
          if (this.attempt < formReadiness.holdBack) return;
          this.cameUp = true;
          this.stopWatching();
        }
        return this.form.handle(message);
      }),
      // Without retainContextWhenHidden VS Code drops the page when the tab is hidden; it says `ready` again when shown.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) {
          this.form.detach();
          this.stopWatching();
        } else if (!this.cameUp) {
          this.watch();
        }
      }),
      panel.onDidDispose(() => {
        this.stopWatching();
        owner.forget(this);
        this.subscriptions.forEach((s) => s.dispose());
      }),
    );
    if (panel.visible) this.watch();
  }

  /** A visible form that has not come up within `formReadiness.timeoutMs` is blank: its owner deals with it. */
  private watch(): void {
    this.stopWatching();
    this.watchdog = setTimeout(() => {
      this.watchdog = undefined;
      if (!this.cameUp && this.panel.visible) this.owner.blank(this);
    }, formReadiness.timeoutMs);
  }

  private stopWatching(): void {
    if (this.watchdog !== undefined) clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }

  get shows(): string | undefined {
    return this.owner.spec.shows(this.form);
  }

  retitle(): void {
    this.panel.title = this.owner.spec.title(this.form);
  }
}

/** The open panels of one form, at most one per thing shown; restores them after a reload and closes them all. */
class FormPanels<C extends FormHost, A> implements vscode.Disposable {
  private readonly open = new Set<FormPanel<C, A>>();
  private readonly titles: vscode.Disposable | undefined;

  constructor(
    readonly spec: FormSpec<C, A>,
    readonly deps: WorkflowDeps,
    readonly extensionUri: vscode.Uri,
  ) {
    this.titles = spec.titleChanges?.(deps, () => this.open.forEach((p) => p.retitle()));
  }

  show(args: A): vscode.WebviewPanel {
    const shows = this.spec.willShow(args);
    const existing = [...this.open].find((p) => p.shows === shows);
    if (existing) {
      existing.panel.reveal();
      return existing.panel;
    }
    const panel = vscode.window.createWebviewPanel(
      this.spec.viewType,
      'Visen',
      vscode.ViewColumn.Active,
      webviewOptions(this.extensionUri),
    );
    return this.attach(panel, args).panel;
  }

  restore(panel: vscode.WebviewPanel, state: unknown): void {
    const args = this.spec.restore(state, this.deps, (shows) => [...this.open].some((p) => p.shows === shows));
    if (args === undefined) panel.dispose();
    else this.attach(panel, args);
  }

  /** A form now shows something else: it gives way to a panel already showing that, or is retitled. */
  changed(form: FormPanel<C, A>): void {
    const other = [...this.open].find((p) => p !== form && p.shows !== undefined && p.shows === form.shows);
    if (other) {
      other.panel.reveal();
      form.panel.dispose();
      return;
    }
    form.retitle();
  }

  forget(form: FormPanel<C, A>): void {
    this.open.delete(form);
  }

  /**
   * A form stayed blank: made again once, in a new panel in the same place; if that one stays blank too,
   * Visen says so and offers Reload Window, which brings VS Code's webview host back.
   */
  blank(form: FormPanel<C, A>): void {
    const title = form.panel.title;
    if (form.attempt === 0) {
      this.deps.log.warn(`${this.spec.viewType}: the form did not come up within ${formReadiness.timeoutMs} ms; opening it again.`);
      const column = form.panel.viewColumn ?? vscode.ViewColumn.Active;
      form.panel.dispose();
      const panel = vscode.window.createWebviewPanel(this.spec.viewType, title, column, webviewOptions(this.extensionUri));
      const again = new FormPanel(panel, this, form.args, form.attempt + 1);
      this.open.add(again);
      return;
    }
    this.deps.log.warn(`${this.spec.viewType}: the form did not come up when opened again either.`);
    const reload = vscode.l10n.t('Reload Window');
    void this.deps.ui
      .warn(
        vscode.l10n.t(
          '"{0}" stayed blank: VS Code did not load the form, even when Visen opened it again. Reloading the window usually fixes this.',
          title,
        ),
        reload,
      )
      .then((choice) => {
        if (choice === reload) void vscode.commands.executeCommand('workbench.action.reloadWindow');
      });
  }

  dispose(): void {
    for (const form of [...this.open]) form.panel.dispose();
    this.open.clear();
    this.titles?.dispose();
  }

  private attach(panel: vscode.WebviewPanel, args: A): FormPanel<C, A> {
    const form = new FormPanel(panel, this, args);
    this.open.add(form);
    return form;
  }
}

/**
 * A form's panels: one registry per composition root (the workflows' `deps`), made on first use, so `open`
 * commands and VS Code's panel serializer (registered at activation, see formsLoader) reach the same one.
 */
export function formPanels<C extends FormHost, A>(spec: FormSpec<C, A>) {
  const registries = new WeakMap<WorkflowDeps, FormPanels<C, A>>();
  const registryFor = (deps: WorkflowDeps, extensionUri: vscode.Uri): FormPanels<C, A> => {
    let registry = registries.get(deps);
    if (!registry) {
      registry = new FormPanels(spec, deps, extensionUri);
      registries.set(deps, registry);
    }
    return registry;
  };
  return {
    /** Opens the form, or reveals the panel already showing the same. */
    open: (deps: WorkflowDeps, extensionUri: vscode.Uri, args: A): vscode.WebviewPanel => registryFor(deps, extensionUri).show(args),
    /** Takes over a panel VS Code restored after a reload (its serializer's `deserializeWebviewPanel`). */
    restore: (deps: WorkflowDeps, extensionUri: vscode.Uri, panel: vscode.WebviewPanel, state: unknown): void =>
      registryFor(deps, extensionUri).restore(panel, state),
    /** Closes every panel of the form (Visen is deactivated). */
    close: (deps: WorkflowDeps): void => {
      registries.get(deps)?.dispose();
      registries.delete(deps);
    },
  };
}
