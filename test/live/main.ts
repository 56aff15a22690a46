// `npm run test:live`: the live contract suite against the real services, with the keys in VISEN_LIVE_NOTION_TOKEN
// (and VISEN_LIVE_NOTION_PARENT, a page the token can open), VISEN_LIVE_GEMINI_KEY and VISEN_LIVE_OPENAI_KEY.
// Parts without their variables are skipped, and say so. Exits 1 when a step failed.
import { runLiveContract, targetsFromEnvironment } from './liveContract';

async function main(): Promise<void> {
  const mark = { passed: 'ok  ', failed: 'FAIL', skipped: 'skip' } as const;
  const steps = await runLiveContract(targetsFromEnvironment(), (s) => console.log(`${mark[s.status]} ${s.part}: ${s.name} — ${s.detail}`));
  const failed = steps.filter((s) => s.status === 'failed').length;
  const passed = steps.filter((s) => s.status === 'passed').length;
  console.log(`\n${passed} passed, ${failed} failed, ${steps.filter((s) => s.status === 'skipped').length} parts skipped.`);
  process.exitCode = failed ? 1 : 0;
}

void main();
