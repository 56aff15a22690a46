/** Command ids: public, users bind keys to them. */
export const Commands = {
  generateToPage: 'visen.generateToPage',
  generateFromSelection: 'visen.generateFromSelection',
  undoLastGeneration: 'visen.undoLastGeneration',
  retryWrite: 'visen.retryWrite',
  newConnection: 'visen.newConnection',
  openConnection: 'visen.openConnection',
  renameConnection: 'visen.renameConnection',
  deleteConnection: 'visen.deleteConnection',
  refreshConnections: 'visen.refreshConnections',
  openInNotion: 'visen.openInNotion',
  setConnectionsDatabase: 'visen.setConnectionsDatabase',
  createConnectionsDatabase: 'visen.createConnectionsDatabase',
  fillDatabase: 'visen.fillDatabase',
  setNotionSecret: 'visen.setNotionSecret',
  clearKeys: 'visen.clearKeys',
  selectModel: 'visen.selectModel',
  openSettings: 'visen.openSettings',
  showLog: 'visen.showLog',
  feedback: 'visen.feedback',
  clearHistory: 'visen.clearHistory',
} as const;

export const ContextKeys = {
  hasNotionSecret: 'visen.hasNotionSecret',
  hasConnections: 'visen.hasConnections',
  hasEngineKey: 'visen.hasEngineKey',
  hasConnectionsDatabase: 'visen.hasConnectionsDatabase',
  hasGenerated: 'visen.hasGenerated',
} as const;

export const Views = {
  container: 'visen',
  connections: 'visen.connections',
} as const;
