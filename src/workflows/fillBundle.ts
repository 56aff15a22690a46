// Fill Database Rows as a bundle of its own (dist/fill.js), required when the command runs, so starting Visen
// does not parse it; configured as it loads (configureBundle).
export { configureBundle as configure } from '../platform/bundleConfig';
export { fillDatabase } from './fill';
