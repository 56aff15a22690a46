/**
 * Building DOM without HTML strings: every text goes in as a text node, so a title, a prompt or model
 * output can never become markup. There is deliberately no way to pass raw HTML.
 */

type Child = Node | string | number | false | null | undefined;

export interface Props {
  readonly id?: string;
  readonly className?: string;
  /** Attributes set with setAttribute (aria-*, role, for, type, placeholder…); `false`/undefined leave them out. */
  readonly attrs?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly on?: { readonly [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.id) element.id = props.id;
  if (props.className) element.className = props.className;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const [event, listener] of Object.entries(props.on ?? {})) {
    element.addEventListener(event, listener as EventListener);
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces an element's children. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

export function show(element: HTMLElement, visible: boolean): void {
  element.hidden = !visible;
}

export function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing`);
  return element as T;
}

/** A `type="button"` button in the shared form styles; `className` adds e.g. `primary` or `secondary inline`. */
export function button(
  label: string,
  id: string,
  className: string,
  onClick: () => void,
  attrs: Readonly<Record<string, string>> = {},
): HTMLButtonElement {
  return h('button', { id, className: `button ${className}`.trim(), attrs: { type: 'button', ...attrs }, on: { click: onClick } }, label);
}

/** Runs `action` on Ctrl+Enter (Cmd+Enter on a Mac) in `element`, e.g. a textarea where Enter is a new line. */
export function onModEnter(element: HTMLElement, action: () => void): void {
  element.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      action();
    }
  });
}

/**
 * Keeps a pasted text that would make the field longer than its `maxlength` out of it, and says so instead
 * of letting the browser cut it silently: `onTooLong` gets the length the field would have had.
 */
export function refuseLongPaste(field: HTMLInputElement | HTMLTextAreaElement, onTooLong: (length: number) => void): void {
  field.addEventListener('paste', (event) => {
    const pasted = (event as ClipboardEvent).clipboardData?.getData('text') ?? '';
    const max = field.maxLength;
    if (max < 0) return;
    const selected = (field.selectionEnd ?? 0) - (field.selectionStart ?? 0);
    const length = field.value.length - selected + pasted.length;
    if (length > max) {
      event.preventDefault();
      onTooLong(length);
    }
  });
}

/** What a failed request says, for the page. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
