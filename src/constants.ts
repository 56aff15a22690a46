/** Command ids: public, users bind keys to them. */
export const Commands = {
  generateToPage: 'visen.generateToPage',
  generateFromSelection: 'visen.generateFromSelection',
  undoLastGeneration: 'visen.undoLastGeneration',
  retryWrite: 'visen.retryWrite',
  setNotionSecret: 'visen.setNotionSecret',
  setGeminiKey: 'visen.setGeminiKey',
  setOpenAIKey: 'visen.setOpenAIKey',
  clearKeys: 'visen.clearKeys',
  selectModel: 'visen.selectModel',
  openSettings: 'visen.openSettings',
  showLog: 'visen.showLog',
  feedback: 'visen.feedback',
} as const;

export const ContextKeys = {
  hasNotionSecret: 'visen.hasNotionSecret',
} as const;

export const Views = {
  container: 'visen',
  connections: 'visen.connections',
} as const;
