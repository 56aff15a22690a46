import type { Connection } from '../services/connections/connection';

/**
 * The forms a command may open. The composition root hands the views' panel registries to the commands
 * through this, so `src/commands` and `src/views` never import each other.
 */
export interface FormPanels {
  /** The connection form: `connection` at step 2, or step 1 of a new connection. */
  openConnection(connection?: Connection): void;
  openSettings(): void;
}
