/**
 * The settings form's fields that each engine brings besides its model row: its key field (in the Engine
 * group, `#key-<kind>`) and its base URL field (under Advanced, `#<kind>BaseUrl`), built from the host's
 * state (the engine registry's). Nothing here names an engine.
 */
import type { BaseUrlField, EngineChoice, KeyName, SettingsState } from '../../../src/views/settingsProtocol';
import { LIMITS } from '../../../src/views/formLimits';
import { byId, replaceChildren } from '../shared/dom';
import { keyField, textField } from './layout';

/** What the form does with the fields, once they exist. */
export interface EngineFieldsForm {
  removeKey(name: KeyName): void;
  /** A key field was built. */
  keyBuilt(name: KeyName, input: HTMLInputElement): void;
  /** A base URL field was built. */
  endpointBuilt(field: BaseUrlField, input: HTMLInputElement): void;
}

export class EngineFields {
  private kinds = '';
  private engines: readonly EngineChoice[] = [];

  constructor(
    private readonly keys: HTMLElement,
    private readonly endpoints: HTMLElement,
    private readonly form: EngineFieldsForm,
  ) {}

  /** Builds the fields when the host's engine list changes. */
  render(state: SettingsState): void {
    const kinds = state.engines.map((e) => e.kind).join();
    if (kinds === this.kinds) return;
    this.kinds = kinds;
    this.engines = state.engines;
    replaceChildren(
      this.keys,
      ...this.engines.flatMap((e) => (e.keyField ? [keyField(e.kind as KeyName, e.keyField, (name) => this.form.removeKey(name))] : [])),
    );
    replaceChildren(
      this.endpoints,
      ...this.engines.flatMap((e) =>
        e.endpoint
          ? [
              textField(e.endpoint.field, e.endpoint.label, e.endpoint.hint, {
                maxlength: LIMITS.baseUrl,
                placeholder: e.endpoint.placeholder,
              }),
            ]
          : [],
      ),
    );
    for (const name of this.keyNames()) this.form.keyBuilt(name, byId<HTMLInputElement>(`key-${name}`));
    for (const [field, input] of this.endpointInputs()) this.form.endpointBuilt(field, input);
  }

  /** The engines' keys, in the registry's order. */
  keyNames(): KeyName[] {
    return this.engines.flatMap((e) => (e.keyField ? [e.kind as KeyName] : []));
  }

  /** The engines' base URL fields and their inputs. */
  endpointInputs(): Array<[BaseUrlField, HTMLInputElement]> {
    return this.engines.flatMap((e) =>
      e.endpoint ? [[e.endpoint.field, byId<HTMLInputElement>(e.endpoint.field)] as [BaseUrlField, HTMLInputElement]] : [],
    );
  }
}
