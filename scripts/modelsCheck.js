// `npm run models:check`: how old Visen's model catalog (src/services/engines/modelCatalog.json) is, and what in
// it has shut down or shuts down soon. Warns past 90 days; exits 1 past 365 days (the unit test fails then too).
// Refresh: read the pages each entry cites, update the entries, set checkedOn to today (README, "Models").
const fs = require('fs');
const path = require('path');

const WARN_DAYS = 90;
const MAX_DAYS = 365;
const file = path.join(__dirname, '..', 'src', 'services', 'engines', 'modelCatalog.json');
const catalog = JSON.parse(fs.readFileSync(file, 'utf8'));
const today = new Date().toISOString().slice(0, 10);
const days = (from, to) => Math.floor((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

const age = days(catalog.checkedOn, today);
console.log(`Model catalog checked on ${catalog.checkedOn}: ${age} days ago (${catalog.models.length} models).`);
for (const provider of [...new Set(catalog.models.map((m) => m.provider))]) {
  const models = catalog.models.filter((m) => m.provider === provider);
  const recommended = models.filter((m) => m.recommended && !(m.shutdown && m.shutdown <= today)).map((m) => m.id);
  const soon = models
    .filter((m) => m.shutdown && m.shutdown > today && days(today, m.shutdown) <= 60)
    .map((m) => `${m.id} (${m.shutdown})`);
  const gone = models.filter((m) => m.recommended && m.shutdown && m.shutdown <= today).map((m) => m.id);
  console.log(
    `  ${provider}: recommended ${recommended.join(', ') || 'none'}${soon.length ? `; shutting down within 60 days: ${soon.join(', ')}` : ''}`,
  );
  if (!recommended.length) console.log(`  WARNING: ${provider} has no recommended model that is still served: Visen will ask every user.`);
  if (gone.length) console.log(`  WARNING: recommended but shut down: ${gone.join(', ')}.`);
}
const secondary = catalog.models.filter((m) => m.secondary).map((m) => `${m.provider}/${m.id}`);
if (secondary.length) console.log(`  Dated from a secondary page, to confirm on the provider's page: ${secondary.join(', ')}.`);
if (age > MAX_DAYS) {
  console.error(`The catalog is older than ${MAX_DAYS} days: refresh it (README, "Models").`);
  process.exit(1);
}
if (age > WARN_DAYS) console.warn(`WARNING: the catalog is older than ${WARN_DAYS} days: refresh it soon (README, "Models").`);
