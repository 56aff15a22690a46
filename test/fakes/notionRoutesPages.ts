// Page routes of the Notion stand-in: retrieve, create (properties, `children` or `markdown`), update (properties,
// trash), and the markdown endpoints.
import { blocksFromRequest, checkPayloadSize } from './notionContent';
import { editMarkdown } from './notionMarkdownEdit';
import { readMarkdown } from './notionMarkdownLimit';
import { applyProperties, setTitle } from './notionProperties';
import {
  ARCHIVED,
  type FakePage,
  type Store,
  contentFromMarkdown,
  createPage,
  invalid,
  markdownResponse,
  markdownVersion,
  pageResponse,
  propertyFilter,
  requireDataSource,
  requireDatabase,
  requirePage,
  touch,
} from './notionStore';
import { type Route, body, notionVersion } from './notionRoutes';
import { schemaError } from './notionContent';

export const pageRoutes = (s: Store): Route[] => [
  {
    method: 'GET',
    pattern: /^\/v1\/pages\/([^/]+)$/,
    run: (m, req) => pageResponse(s, requirePage(s, m[1]), propertyFilter(req.query, false, notionVersion(req))),
  },
  {
    method: 'PATCH',
    pattern: /^\/v1\/pages\/([^/]+)$/,
    run: (m, req) => {
      const page = requirePage(s, m[1]);
      const b = body(req);
      // Trash a page: "`archived` was removed in `2026-03-11` … only `in_trash` is accepted" (reference/trash-page).
      if (b.archived !== undefined && notionVersion(req) >= '2026-03-11') {
        throw schemaError('body.archived', `should be not present, instead was \`${JSON.stringify(b.archived)}\`.`);
      }
      const trash = b.in_trash ?? b.archived ?? b.is_archived;
      if (page.inTrash && trash !== false && b.properties) throw invalid(ARCHIVED);
      if (typeof trash === 'boolean') page.inTrash = trash;
      if (b.properties) applyProperties(s, page, b.properties, 'body.properties');
      if ('icon' in b) page.icon = b.icon;
      if ('cover' in b) page.cover = b.cover;
      if (b.erase_content === true) page.blocks = [];
      touch(s, page);
      return pageResponse(s, page);
    },
  },
  {
    method: 'POST',
    pattern: /^\/v1\/pages$/,
    run: (_m, req) => {
      const b = body(req);
      const p = b.parent as Record<string, any> | undefined;
      if (!p || typeof p !== 'object') throw invalid('body failed validation: body.parent should be defined, instead was `undefined`.');
      let parent: FakePage['parent'];
      if (p.page_id) {
        const parentPage = requirePage(s, String(p.page_id), 'parent.page_id');
        if (parentPage.inTrash) throw invalid(ARCHIVED);
        parent = { type: 'page_id', pageId: parentPage.id };
      } else if (p.data_source_id) {
        const db = requireDataSource(s, String(p.data_source_id));
        parent = { type: 'data_source_id', dataSourceId: db.dataSourceId, databaseId: db.id };
      } else if (p.database_id) {
        const db = requireDatabase(s, String(p.database_id));
        parent = { type: 'data_source_id', dataSourceId: db.dataSourceId, databaseId: db.id };
      } else if (p.workspace === true) {
        parent = { type: 'workspace' };
      } else {
        throw invalid('body failed validation: body.parent.page_id should be defined, instead was `undefined`.');
      }
      if (b.markdown !== undefined && (b.children !== undefined || b.content !== undefined)) {
        throw invalid('body failed validation: body.children should be not present when body.markdown is provided.');
      }
      // "send markdown_version only with markdown" (Migrate to Notion-flavored Markdown (v2), step 1).
      if (b.markdown_version !== undefined && b.markdown === undefined) {
        throw invalid('body failed validation: body.markdown_version should be not present when body.markdown is not provided.');
      }
      const version = markdownVersion(b.markdown_version, 'body.markdown_version', notionVersion(req));
      checkPayloadSize(b);
      const page = createPage(s, { title: '', parent, shared: true });
      try {
        const titleSet = b.properties ? applyProperties(s, page, b.properties, 'body.properties') : false;
        if (typeof b.markdown === 'string') {
          const content = contentFromMarkdown(b.markdown, titleSet ? page.title : undefined, version);
          setTitle(page, content.title);
          page.blocks = content.blocks;
        } else if (b.children !== undefined) {
          page.blocks = blocksFromRequest(b.children, 'body.children');
        }
      } catch (err) {
        s.pages.delete(page.id);
        if (parent.type === 'page_id') {
          const parentPage = s.pages.get(parent.pageId);
          if (parentPage) parentPage.blocks = parentPage.blocks.filter((x) => x.id !== page.id);
        }
        throw err;
      }
      const parentPage = parent.type === 'page_id' ? s.pages.get(parent.pageId) : undefined;
      const link = parentPage?.blocks.find((x) => x.id === page.id);
      if (link) link.data = { title: page.title };
      return pageResponse(s, page);
    },
  },
  {
    method: 'GET',
    pattern: /^\/v1\/pages\/([^/]+)\/markdown$/,
    run: (m, req) => {
      markdownVersion(req.query.markdown_version, 'query.markdown_version', notionVersion(req));
      return readMarkdown(s, m[1], s.markdownRecordLimit);
    },
  },
  {
    method: 'PATCH',
    pattern: /^\/v1\/pages\/([^/]+)\/markdown$/,
    run: (m, req) => {
      const page = requirePage(s, m[1]);
      editMarkdown(s, page, body(req), notionVersion(req));
      return markdownResponse(s, page);
    },
  },
];
