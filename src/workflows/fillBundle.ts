// Fill Database Rows as a bundle of its own (dist/fill.js), required when the command runs, so starting Visen
// does not parse it.
export { fillDatabase } from './fill';
