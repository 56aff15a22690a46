// Constants the build puts into Visen's bundles (esbuild `define`), shared by esbuild.js and the unit test
// that checks what the production bundle leaves out.
/**
 * `VISEN_TEST_OVERRIDES`: whether the VISEN_*_BASE_URL environment overrides exist. False in the production
 * build (`--production`, what the .vsix ships), so their code is dropped from it: in a remote or dev-container
 * window `remoteEnv` sets the environment, and nothing there may redirect a request. Tests and development
 * builds keep them.
 */
module.exports = function buildDefines(production) {
  return { VISEN_TEST_OVERRIDES: production ? 'false' : 'true' };
};
