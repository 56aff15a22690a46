import * as assert from 'node:assert/strict';
import {
  formatCount,
  formatNotionId,
  MAX_NOTION_URL_LENGTH,
  notionUrlMessage,
  NotionTarget,
  NotionUrlProblem,
  notionUrlForId,
  parseNotionUrl,
} from '../../src/services/notion/notionUrl';

const PAGE = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const PAGE_ID = 'a1b2c3d4-e5f6-0718-293a-4b5c6d7e8f90';
const DB = '1f2e3d4c5b6a79880706f5e4d3c2b1a0';
const DB_ID = '1f2e3d4c-5b6a-7988-0706-f5e4d3c2b1a0';
const VIEW = '9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a41';
const VIEW_ID = '9c8b7a6f-5e4d-3c2b-1a0f-9e8d7c6b5a41';
const BLOCK = 'deadbeefdeadbeefdeadbeefdeadbeef';
const BLOCK_ID = 'deadbeef-dead-beef-dead-beefdeadbeef';

const page = (extra: Partial<NotionTarget> = {}): NotionTarget => ({ id: PAGE_ID, kind: 'unknown', ...extra });

const valid: Array<[string, string, NotionTarget]> = [
  ['bare 32-hex id', PAGE, page()],
  ['bare 32-hex id in upper case', PAGE.toUpperCase(), page()],
  ['dashed UUID', PAGE_ID, page()],
  ['dashed UUID in upper case', PAGE_ID.toUpperCase(), page()],
  ['id with surrounding whitespace', `  \t${PAGE}\n`, page()],
  ['URL in angle brackets', `<https://www.notion.so/${PAGE}>`, page()],
  ['URL in double quotes', `"https://www.notion.so/${PAGE}"`, page()],
  ['id in single quotes', `'${PAGE_ID}'`, page()],
  ['URL in smart quotes', `“https://www.notion.so/${PAGE}”`, page()],
  ['www.notion.so id URL', `https://www.notion.so/${PAGE}`, page()],
  ['notion.so without www', `https://notion.so/${PAGE}`, page()],
  ['notion.so without scheme', `notion.so/${PAGE}`, page()],
  ['www.notion.so without scheme', `www.notion.so/My-Page-${PAGE}`, page()],
  ['http scheme', `http://www.notion.so/${PAGE}`, page()],
  ['workspace and title slug', `https://www.notion.so/acme/Project-Plan-${PAGE}`, page()],
  ['title slug without workspace', `https://www.notion.so/Project-Plan-${PAGE}`, page()],
  ['path without host', `/acme/Project-Plan-${PAGE}`, page()],
  ['title slug without host', `Project-Plan-${PAGE}`, page()],
  ['pvs query', `https://www.notion.so/Project-${PAGE}?pvs=4`, page()],
  ['pvs and qid query', `https://www.notion.so/acme/Project-${PAGE}?pvs=21&qid=abc123`, page()],
  ['source=copy_link', `https://www.notion.so/acme/Project-${PAGE}?source=copy_link`, page()],
  ['trailing slash', `https://www.notion.so/acme/Project-${PAGE}/`, page()],
  ['title with digits', `https://www.notion.so/acme/My-Page-2024-${PAGE}`, page()],
  ['title ending in hex letters', `https://www.notion.so/acme/Cafe-abc-${PAGE}`, page()],
  ['title that is all hex words', `https://www.notion.so/Deadbeef-Cafe-Face-${PAGE}`, page()],
  ['title with a 32-hex word: the last one wins', `https://www.notion.so/Hash-${BLOCK}-${PAGE}`, page()],
  [
    'id that is all digits',
    'https://www.notion.so/Notes-12345678901234567890123456789012',
    { id: '12345678-9012-3456-7890-123456789012', kind: 'unknown' },
  ],
  ['percent-encoded title', `https://www.notion.so/acme/%E6%97%A5%E8%A8%98-${PAGE}`, page()],
  ['dashed UUID in the path', `https://www.notion.so/${PAGE_ID}`, page()],
  ['database with view', `https://www.notion.so/acme/${DB}?v=${VIEW}`, { id: DB_ID, kind: 'database', viewId: VIEW_ID }],
  [
    'database with title and view',
    `https://www.notion.so/acme/Tasks-${DB}?v=${VIEW}&pvs=4`,
    { id: DB_ID, kind: 'database', viewId: VIEW_ID },
  ],
  ['peek link, side peek', `https://www.notion.so/acme/${DB}?v=${VIEW}&p=${PAGE}&pm=s`, page({ kind: 'page' })],
  ['peek link, centre peek, titled database', `https://www.notion.so/acme/Tasks-${DB}?v=${VIEW}&p=${PAGE}&pm=c`, page({ kind: 'page' })],
  ['public notion.site page', `https://acme.notion.site/Public-Page-${PAGE}`, page()],
  ['public notion.site database', `https://acme.notion.site/${DB}?v=${VIEW}`, { id: DB_ID, kind: 'database', viewId: VIEW_ID }],
  ['www.notion.com', `https://www.notion.com/acme/Project-${PAGE}`, page()],
  ['app.notion.com', `https://app.notion.com/p/${PAGE}`, page()],
  ['block anchor', `https://www.notion.so/acme/Project-${PAGE}#${BLOCK}`, page({ kind: 'page', blockId: BLOCK_ID })],
  ['block- anchor with query', `https://www.notion.so/Project-${PAGE}?pvs=4#block-${BLOCK}`, page({ kind: 'page', blockId: BLOCK_ID })],
  ['heading-style anchor is ignored', `https://www.notion.so/Project-${PAGE}#introduction`, page()],
  ['notion:// deep link', `notion://www.notion.so/acme/Project-${PAGE}`, page()],
  ['notion:// deep link with anchor', `notion://www.notion.so/${PAGE}#${BLOCK}`, page({ kind: 'page', blockId: BLOCK_ID })],
  ['explicit port', `https://www.notion.so:443/${PAGE}`, page()],
  ['www.notion.site', `https://www.notion.site/Public-${PAGE}`, page()],
  ['notion.site without a subdomain', `https://notion.site/${PAGE}`, page()],
  ['bare 32-hex id with a trailing newline and tab', `${PAGE}\n\t`, page()],
  ['dashed UUID in backticks', `\`${PAGE_ID}\``, page()],
  ['upper-case host', `HTTPS://WWW.NOTION.SO/${PAGE}`, page()],
  ['trailing dot on the host', `https://www.notion.so./${PAGE}`, page()],
  ['ideographic full stop in the host (the URL parser reads it as a dot)', `https://www.notion\u3002so/${PAGE}`, page()],
  ['link wrapped in angle brackets and spaces from a chat', `  <https://acme.notion.site/Docs-${PAGE}>  `, page()],
  [
    'notion:// deep link with a database view',
    `notion://www.notion.so/acme/${DB}?v=${VIEW}`,
    { id: DB_ID, kind: 'database', viewId: VIEW_ID },
  ],
  ['link of exactly the longest length', `https://www.notion.so/${PAGE}?x=${'a'.repeat(MAX_NOTION_URL_LENGTH - 57)}`, page()],
];

const invalid: Array<[string, string, NotionUrlProblem]> = [
  ['empty string', '', 'empty'],
  ['only whitespace', '   \n\t', 'empty'],
  ['only wrappers', ' <""> ', 'empty'],
  ['google.com', `https://google.com/${PAGE}`, 'notNotion'],
  ['notion.so as a subdomain of another host', `https://notion.so.evil.com/${PAGE}`, 'notNotion'],
  ['notion.so in the path of another host', `http://evil.com/notion.so/${PAGE}`, 'notNotion'],
  ['look-alike domain', `https://evilnotion.so/${PAGE}`, 'notNotion'],
  ['notion.so in the user info', `https://notion.so@evil.com/${PAGE}`, 'notNotion'],
  ['protocol-relative other host', `//evil.com/${PAGE}`, 'notNotion'],
  ['scheme-less other host', `example.org/Page-${PAGE}`, 'notNotion'],
  ['ftp scheme', `ftp://www.notion.so/${PAGE}`, 'notNotion'],
  ['workspace only', 'https://www.notion.so/my-workspace', 'noId'],
  ['login page', 'https://www.notion.so/login', 'noId'],
  ['bare /login path', '/login', 'noId'],
  ['notion.so home', 'notion.so', 'noId'],
  ['marketing page', 'https://www.notion.com/product/ai', 'noId'],
  ['hello world', 'hello world', 'malformed'],
  ['single word', 'hello', 'malformed'],
  ['31 hex characters', PAGE.slice(1), 'malformed'],
  ['33 hex characters', `${PAGE}0`, 'malformed'],
  ['UUID with a non-hex character', 'g1b2c3d4-e5f6-0718-293a-4b5c6d7e8f90', 'malformed'],
  ['UUID with misplaced dashes', 'a1b2c3d4e-5f6-0718-293a-4b5c6d7e8f90', 'malformed'],
  ['URL with a 31-hex id', `https://www.notion.so/acme/Project-${PAGE.slice(1)}`, 'malformed'],
  ['URL with a 33-hex tail', `https://www.notion.so/acme/Project-${PAGE}0`, 'malformed'],
  ['peek with a broken page id', `https://www.notion.so/acme/${DB}?v=${VIEW}&p=nope&pm=s`, 'malformed'],
  ['URL with a space in it', `https://www.notion.so/My Page-${PAGE}`, 'malformed'],
  ['javascript: URL', `javascript:alert(1)//${PAGE}`, 'notNotion'],
  ['javascript: URL in upper case', `JAVASCRIPT:fetch('https://www.notion.so/${PAGE}')`, 'notNotion'],
  ['data: URL', `data:text/html,<script>location='https://www.notion.so/${PAGE}'</script>`, 'notNotion'],
  ['mailto: with a notion.so address', `mailto:me@notion.so?subject=${PAGE}`, 'notNotion'],
  ['file: URL', `file:///www.notion.so/${PAGE}`, 'notNotion'],
  ['notion.so.evil.com without scheme', `notion.so.evil.com/${PAGE}`, 'notNotion'],
  ['evilnotion.so without scheme', `evilnotion.so/${PAGE}`, 'notNotion'],
  ['notion.so-evil.com', `https://notion.so-evil.com/${PAGE}`, 'notNotion'],
  ['notion.com.evil.com', `https://www.notion.com.evil.com/${PAGE}`, 'notNotion'],
  ['notion.site.evil.com', `https://acme.notion.site.evil.com/${PAGE}`, 'notNotion'],
  ['notion.so@evil.com without scheme', `notion.so@evil.com/${PAGE}`, 'notNotion'],
  ['user info on a real Notion host', `https://me:secret@www.notion.so/${PAGE}`, 'notNotion'],
  ['user name only on a real Notion host', `https://me@www.notion.so/${PAGE}`, 'notNotion'],
  ['IDN homograph with a Greek omicron', `https://www.n\u03bftion.so/${PAGE}`, 'notNotion'],
  ['IDN homograph with a Cyrillic o', `https://n\u043etion.so/${PAGE}`, 'notNotion'],
  ['punycode look-alike', `https://www.xn--ntion-rce.so/${PAGE}`, 'notNotion'],
  ['custom domain of a published page', `https://docs.acme.com/Getting-Started-${PAGE}`, 'notNotion'],
  ['ws: scheme', `ws://www.notion.so/${PAGE}`, 'notNotion'],
  ['backslash host trick', `https://evil.com\\@www.notion.so/${PAGE}`, 'notNotion'],
  ['id with an inner newline', `${PAGE.slice(0, 16)}\n${PAGE.slice(16)}`, 'malformed'],
  ['id with a zero-width space inside', `${PAGE.slice(0, 16)}\u200b${PAGE.slice(16)}`, 'malformed'],
  ['UUID without its last dash', PAGE_ID.replace(/-(?=[^-]*$)/, ''), 'malformed'],
  ['UUID with braces', `{${PAGE_ID}}`, 'malformed'],
];

const TOO_LONG = MAX_NOTION_URL_LENGTH + 1;
const tooLong: Array<[string, string]> = [
  ['a link one character too long', `https://www.notion.so/${PAGE}?x=${'a'.repeat(TOO_LONG - 57)}`],
  ['70,000 hex characters', 'a'.repeat(70_000)],
  ['a link followed by a pasted document', `https://www.notion.so/${PAGE} ${'lorem ipsum '.repeat(6_000)}`],
];

describe('parseNotionUrl', () => {
  describe('accepts', () => {
    for (const [name, input, expected] of valid) {
      it(name, () => {
        assert.deepEqual(parseNotionUrl(input), { ok: true, target: expected });
      });
    }
  });

  describe('rejects', () => {
    for (const [name, input, reason] of invalid) {
      it(`${name} as ${reason}`, () => {
        assert.deepEqual(parseNotionUrl(input), { ok: false, reason, message: notionUrlMessage(reason) });
      });
    }
  });

  describe('refuses input longer than any link', () => {
    for (const [name, input] of tooLong) {
      it(name, () => {
        const result = parseNotionUrl(input);
        assert.equal(result.ok, false);
        assert.equal(!result.ok && result.reason, 'tooLong');
        assert.equal(!result.ok && result.message, notionUrlMessage('tooLong', input.trim().length));
      });
    }

    it('says how long the link was and how long it may be', () => {
      assert.equal(
        notionUrlMessage('tooLong', 2_001),
        `The link is too long (${formatCount(2_001)} characters; at most ${formatCount(2_000)}). In Notion, use Share → Copy link and paste that link.`,
      );
    });
  });

  describe('takes linear time on hostile input', () => {
    // Each shape made a backtracking regex retry from every position (the old wrapper regex took seconds
    // on a 60,000-character run of spaces followed by one letter). At 180,000 characters a linear scan takes
    // milliseconds and a quadratic one tens of seconds: the 1 s bound tells them apart on a loaded machine too.
    const N = 180_000;
    const shapes: Array<[string, string]> = [
      ['spaces between two letters', `x${' '.repeat(N - 2)}x`],
      ['spaces then a letter', `${' '.repeat(N - 1)}x`],
      ['closing wrappers then a letter', `x${'>"\''.repeat(N / 3)}x`],
      ['opening wrappers then a letter', `${'<“'.repeat(N / 2)}x`],
      ['only wrappers', '"'.repeat(N)],
      ['hex', 'a'.repeat(N)],
      ['hex and dashes', 'abcdef01-'.repeat(N / 9)],
      ['dotted host', 'a.'.repeat(N / 2)],
      ['dashes', '-'.repeat(N)],
      ['slashes', '/'.repeat(N)],
      ['a URL with a long slug', `https://www.notion.so/${'a-'.repeat(N / 2)}`],
      ['a URL with a long anchor', `https://www.notion.so/${PAGE}#${'b'.repeat(N)}`],
      ['a URL with a long query', `https://www.notion.so/${PAGE}?p=${'c'.repeat(N)}`],
      ['schemes', 'a:'.repeat(N / 2)],
      ['deep link prefixes', 'notion://'.repeat(N / 9)],
      ['newlines', `x${'\n'.repeat(N - 2)}x`],
    ];
    for (const [name, input] of shapes) {
      it(`${name} (${input.length.toLocaleString('en')} characters)`, () => {
        const started = performance.now();
        const result = parseNotionUrl(input);
        const elapsed = performance.now() - started;
        assert.equal(result.ok, false);
        assert.ok(elapsed < 1000, `took ${elapsed.toFixed(1)} ms`);
      });
    }
  });

  it('uses the wording the UI promises', () => {
    assert.equal(notionUrlMessage('empty'), 'Paste a Notion page URL or id.');
    assert.equal(notionUrlMessage('notNotion'), 'That is not a Notion link: expected notion.so, notion.com or a notion.site address.');
    assert.equal(
      notionUrlMessage('noId'),
      'This Notion link does not point to a page or database: open the page in Notion and use Share → Copy link.',
    );
  });
});

describe('formatNotionId', () => {
  it('dashes and lower-cases a 32-hex id', () => {
    assert.equal(formatNotionId(PAGE.toUpperCase()), PAGE_ID);
  });

  it('lower-cases a dashed UUID', () => {
    assert.equal(formatNotionId(` ${PAGE_ID.toUpperCase()} `), PAGE_ID);
  });

  it('throws on anything that is not an id', () => {
    assert.throws(() => formatNotionId(PAGE.slice(1)), RangeError);
    assert.throws(() => formatNotionId(`https://www.notion.so/${PAGE}`), RangeError);
  });
});

describe('notionUrlForId', () => {
  it('builds a notion.so link from either id form', () => {
    assert.equal(notionUrlForId(PAGE_ID), `https://www.notion.so/${PAGE}`);
    assert.equal(notionUrlForId(PAGE.toUpperCase()), `https://www.notion.so/${PAGE}`);
  });

  it('round-trips through parseNotionUrl', () => {
    assert.deepEqual(parseNotionUrl(notionUrlForId(DB)), { ok: true, target: { id: DB_ID, kind: 'unknown' } });
  });
});
