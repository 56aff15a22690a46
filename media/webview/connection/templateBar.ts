/**
 * The prompt templates above the prompt box: a list of the connection's templates (choosing one fills the
 * prompt box), Save as Template (its name asked inline, under the list), and Rename and Delete for the one
 * chosen (Rename asks the new name in the same row). The host keeps the templates
 * (workflows/promptTemplates.ts); every name and prompt goes in as text.
 *
 * Hooks for UI tests: #template-select  #save-template  #rename-template  #delete-template  #template-editor (the name row:
 * #template-name  #template-name-save  #template-name-cancel  #template-note)  #template-error  #template-status
 */
import '../shared/l10n';
import * as l10n from '@vscode/l10n';
import type { ConnectionView, ReplyResults, TemplateView } from '../../../src/views/connectionProtocol';
import { LIMITS } from '../../../src/views/formLimits';
import { button, errorText, h, replaceChildren, show } from '../shared/dom';
import type { ConnectionForm } from './form';

const same = (a: string, b: string) => a.trim().toLocaleLowerCase() === b.trim().toLocaleLowerCase();

export class TemplateBar {
  private readonly select = h('select', { id: 'template-select', className: 'select', attrs: { 'aria-describedby': 'template-status' } });
  private readonly saveButton = button(l10n.t('Save as Template'), 'save-template', 'secondary', () => this.openEditor('save'));
  private readonly renameButton = button(l10n.t('Rename…'), 'rename-template', 'secondary', () => this.openEditor('rename'), {
    title: l10n.t('Give the template chosen another name'),
  });
  private readonly deleteButton = button(l10n.t('Delete Template'), 'delete-template', 'secondary', () => void this.deleteChosen());
  private readonly name = h('input', {
    id: 'template-name',
    className: 'input',
    attrs: {
      type: 'text',
      autocomplete: 'off',
      spellcheck: 'false',
      maxlength: LIMITS.templateName,
      'aria-describedby': 'template-note template-error',
    },
  });
  private readonly note = h('div', { id: 'template-note', className: 'hint' });
  private readonly editor = h(
    'div',
    { id: 'template-editor', className: 'field' },
    h('label', { attrs: { for: 'template-name' } }, l10n.t('Template name')),
    h(
      'div',
      { className: 'actions' },
      this.name,
      button(l10n.t('Save'), 'template-name-save', 'primary', () => void this.save()),
      button(l10n.t('Cancel'), 'template-name-cancel', 'secondary', () => this.closeEditor(true)),
    ),
    this.note,
  );
  private readonly error = h('div', { id: 'template-error', className: 'field-error', attrs: { role: 'alert' } });
  private readonly status = h('div', { id: 'template-status', className: 'hint', attrs: { role: 'status', 'aria-live': 'polite' } });
  private templates: readonly TemplateView[] = [];
  /** What the name row does: save the prompt box under the name, or rename the template chosen (`renaming`). */
  private mode: 'save' | 'rename' = 'save';
  private renaming = '';
  /** A template just saved: chosen in the list once the host's state has it. */
  private pendingChoice: string | undefined;

  constructor(private readonly form: ConnectionForm) {
    replaceChildren(
      form.el.templates,
      h('label', { attrs: { for: 'template-select' } }, l10n.t('Templates')),
      h('div', { className: 'actions' }, this.select, this.saveButton, this.renameButton, this.deleteButton),
      this.editor,
      this.error,
      this.status,
    );
    show(this.editor, false);
    this.select.addEventListener('change', () => this.choose());
    this.name.addEventListener('input', () => {
      this.error.textContent = '';
      this.name.removeAttribute('aria-invalid');
      this.describeName();
    });
    this.name.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        void this.save();
      } else if (event.key === 'Escape') {
        event.preventDefault();
        this.closeEditor(true);
      }
    });
  }

  render(connection: ConnectionView): void {
    this.templates = connection.templates ?? [];
    const chosen = this.pendingChoice ?? this.select.value;
    const names = this.templates.map((t) => t.name);
    const shown = [...this.select.options].slice(1).map((o) => o.value);
    if (names.join('\n') !== shown.join('\n') || this.select.options.length === 0) {
      const first = this.templates.length > 0 ? l10n.t('Choose a template…') : l10n.t('No templates yet');
      replaceChildren(
        this.select,
        h('option', { attrs: { value: '' } }, first),
        ...names.map((name) => h('option', { attrs: { value: name } }, name)),
      );
    }
    const found = this.templates.find((t) => same(t.name, chosen));
    this.select.value = found?.name ?? '';
    if (found) this.pendingChoice = undefined;
    const hadFocus =
      document.activeElement === this.select ||
      document.activeElement === this.deleteButton ||
      document.activeElement === this.renameButton;
    this.select.disabled = this.templates.length === 0;
    this.deleteButton.disabled = !found;
    this.renameButton.disabled = !found;
    // The last template went: the keyboard stays in the bar.
    if (hadFocus && this.select.disabled) this.saveButton.focus();
    if (!this.editor.hidden) this.describeName();
  }

  /** Fills the prompt box with the template chosen. */
  private choose(): void {
    const template = this.templates.find((t) => t.name === this.select.value);
    this.deleteButton.disabled = !template;
    this.renameButton.disabled = !template;
    this.status.textContent = '';
    // A rename in progress was for the template chosen before.
    if (this.mode === 'rename' && !this.editor.hidden) this.closeEditor(false);
    if (!template) return;
    const { el } = this.form;
    el.prompt.value = template.prompt;
    el.prompt.removeAttribute('aria-invalid');
    el.promptError.textContent = '';
    this.form.saveDraft();
  }

  private openEditor(mode: 'save' | 'rename'): void {
    this.error.textContent = '';
    this.status.textContent = '';
    if (mode === 'save' && !this.form.el.prompt.value.trim()) {
      this.error.textContent = l10n.t('Type the prompt first, then save it as a template.');
      this.form.el.prompt.focus();
      return;
    }
    if (mode === 'rename' && !this.select.value) return;
    if (this.editor.hidden || mode !== this.mode) this.name.value = this.select.value;
    this.mode = mode;
    this.renaming = mode === 'rename' ? this.select.value : '';
    show(this.editor, true);
    this.describeName();
    this.name.focus();
    this.name.select();
  }

  private closeEditor(focusButton: boolean): void {
    show(this.editor, false);
    this.name.removeAttribute('aria-invalid');
    this.error.textContent = '';
    if (focusButton) (this.mode === 'rename' && !this.renameButton.disabled ? this.renameButton : this.saveButton).focus();
  }

  /** Says when the name is one a template already has: saving gives that template the prompt. */
  private describeName(): void {
    if (this.mode === 'rename') {
      this.note.textContent = l10n.t('Gives "{0}" a new name; its prompt stays as it is.', this.renaming);
      return;
    }
    const existing = this.templates.find((t) => same(t.name, this.name.value));
    this.note.textContent = existing
      ? l10n.t('"{0}" is already a template: saving replaces its prompt with the one in the prompt box.', existing.name)
      : l10n.t('Saves the prompt box as it is; its variables are filled each time the template is used.');
  }

  private async save(): Promise<void> {
    if (this.mode === 'rename') return this.rename();
    const templateName = this.name.value.trim();
    try {
      const { replaced } = await this.form.host.request<ReplyResults['saveTemplate']>({
        type: 'saveTemplate',
        templateName,
        prompt: this.form.el.prompt.value,
      });
      this.pendingChoice = templateName;
      this.closeEditor(false);
      this.select.focus();
      this.status.textContent = replaced ? l10n.t('Template "{0}" replaced.', templateName) : l10n.t('Template "{0}" saved.', templateName);
    } catch (error) {
      this.error.textContent = errorText(error);
      this.name.setAttribute('aria-invalid', 'true');
      this.name.focus();
    }
  }

  private async rename(): Promise<void> {
    const from = this.renaming;
    const newName = this.name.value.trim();
    try {
      const { name } = await this.form.host.request<ReplyResults['renameTemplate']>({
        type: 'renameTemplate',
        templateName: from,
        newName,
      });
      this.pendingChoice = name;
      this.closeEditor(false);
      this.select.focus();
      this.status.textContent = l10n.t('Template "{0}" renamed to "{1}".', from, name);
    } catch (error) {
      this.error.textContent = errorText(error);
      this.name.setAttribute('aria-invalid', 'true');
      this.name.focus();
    }
  }

  private async deleteChosen(): Promise<void> {
    const templateName = this.select.value;
    if (!templateName) return;
    this.error.textContent = '';
    try {
      await this.form.host.request<ReplyResults['deleteTemplate']>({ type: 'deleteTemplate', templateName });
      this.select.value = '';
      this.deleteButton.disabled = true;
      this.renameButton.disabled = true;
      this.select.focus();
      this.status.textContent = l10n.t('Template "{0}" deleted.', templateName);
    } catch (error) {
      this.error.textContent = errorText(error);
    }
  }
}
