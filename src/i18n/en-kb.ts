/** English words of the knowledge base: the public pages and their administration. */
export const kbEn = {
  title: 'Knowledge base',
  intro: 'All categories of the knowledge base.',
  breadcrumb: 'Breadcrumb',
  languageNames: { en: 'English', nl: 'Dutch' } as Record<'en' | 'nl', string>,
  articleCount: (n: number) => (n === 1 ? '1 article' : `${n} articles`),
  seeAll: (n: number, category: string) => `See all ${n} articles in ${category}`,
  subcategoriesHeading: 'Subcategories',
  articlesHeading: 'Articles',
  writtenBy: (author: string) => `Written by ${author}`,
  defaultAuthor: 'The help center team',
  updated: 'Updated',
  relatedHeading: 'Related articles',
  fallbackNotice: (language: string) =>
    `This article is not available in English yet, so it is shown in ${language}.`,
  searchTitle: 'Search',
  searchLabel: 'Search the knowledge base',
  searchButton: 'Search',
  resultsHeading: (query: string) => `Search results for “${query}”`,
  resultCount: (n: number) => (n === 1 ? '1 article found.' : `${n} articles found.`),
  resultsLimited: (n: number) => `Showing the ${n} best matches. Add a word to narrow the search.`,
  noResults: (query: string) => `No articles match “${query}”.`,
  noResultsHint: 'Check the spelling, try other or fewer words, or browse the categories.',
  emptyQuery: 'Type one or more words to search for.',
  onlyCommonWords: (query: string) =>
    `No word in “${query}” can be searched for: very common words are left out. Try a more specific word.`,
  noWordsInQuery: (query: string) =>
    `“${query}” has no letters or digits, so there is nothing to search for. Type a word.`,
  wordTooLong: (query: string, max: number) =>
    `No word in “${query}” can be searched for: words longer than ${max} characters are left out. Try a shorter word.`,
  browseCategories: 'Browse the categories',
  inCategory: 'In',
};

export type KbMessages = typeof kbEn;

/** English words of the knowledge-base administration (/admin/kb). */
export const kbAdminEn = {
  draftFound: 'This browser kept text you typed here on {when} that was not saved.',
  draftRestore: 'Restore it',
  draftDiscard: 'Discard it',
  draftChanged:
    'The article has been saved since then: saving that text shows you both versions first.',
  title: 'Knowledge base',
  intro:
    'Categories and articles of the public knowledge base. Each article has a text per language; only published texts are shown to visitors.',
  newArticle: 'New article',
  newCategory: 'New category',
  categoriesHeading: 'Categories',
  articlesHeading: 'Articles',
  noCategories: 'There are no categories yet. Create one before you write an article.',
  noArticles: 'There are no articles yet.',
  columnName: 'Name',
  columnTitle: 'Title',
  columnCategory: 'Category',
  columnLanguages: 'Languages',
  columnArticles: 'Articles',
  /** Beside a category's own count, when its subcategories hold articles too. */
  inSubcategories: (n: number) => `(${n} in subcategories)`,
  columnUpdated: 'Updated',
  published: 'Published',
  draft: 'Draft',
  missing: 'Not written',
  statusIn: (language: string, status: string) => `${language}: ${status}`,
  edit: 'Edit',
  editLabel: (name: string) => `Edit ${name}`,
  topLevel: 'None (top level)',

  categoryNewTitle: 'New category',
  categoryEditTitle: (name: string) => `Edit category “${name}”`,
  parent: 'Parent category',
  slug: 'URL name',
  slugHint: 'Lower-case letters, digits and hyphens, as in getting-started. Part of the address.',
  articleSlugHint:
    'Lower-case letters, digits and hyphens. Leave empty to make one from the title. Changing it changes the article’s address; links to the old one lead to the new one.',
  position: 'Order',
  positionHint: 'Lower numbers come first.',
  nameIn: (language: string) => `Name (${language})`,
  descriptionIn: (language: string) => `Description (${language})`,
  optionalTranslationHint: 'Optional. When empty, visitors see the English text.',
  createCategory: 'Create category',
  saveCategory: 'Save category',
  deleteCategory: 'Delete category',
  deleteCategoryHint: 'Only a category without subcategories and articles can be deleted.',
  categoryCreated: 'The category has been created.',
  categoryDeleted: 'The category has been deleted.',

  articleNewTitle: 'New article',
  articleEditTitle: (title: string) => `Edit “${title}”`,
  category: 'Category',
  language: 'Article language',
  articleTitle: 'Title',
  body: 'Text (Markdown)',
  bodyHint:
    'Markdown: ## heading, **bold**, _italic_, - list, 1. numbered list, [link](https://…), ![image description](/assets/kb/…). Images from other sites show as links to them. Scripts and other unsafe HTML are removed.',
  preview: 'Preview',
  previewHeading: 'Preview',
  previewNote: 'This is how the text will look. It has not been saved yet.',
  createArticle: 'Create draft',
  saveArticle: 'Save',
  publish: 'Publish',
  unpublish: 'Unpublish',
  languagesLabel: 'Languages of this article',
  textIn: (language: string) => `Text in ${language}`,
  statusLine: (status: string) => `Status: ${status}`,
  notWrittenYet: (language: string) =>
    `There is no ${language} text yet. Write one below; it is saved as a draft.`,
  publishedHint: 'Visitors can read this text. Saving changes it on the site at once.',
  draftHint: 'Visitors cannot see this text until it is published.',
  lastChange: (who: string, when: string) => `Last changed by ${who} on ${when}`,
  someone: 'the system',
  viewOnSite: 'View on the site',
  articleCreated: 'The article has been created as a draft.',
  articlePublished: 'The text has been published.',
  articleUnpublished: 'The text has been unpublished; visitors can no longer see it.',
  deleteArticle: 'Delete article',
  deleteArticleHint:
    'Deletes the article in every language, published or not. Its category can then be deleted if it is empty.',
  deleteArticleConfirmHeading: (title: string) => `Delete the article “${title}”?`,
  deleteArticleConfirm: (languages: string) =>
    `Its texts (${languages}) are deleted and its address stops working. This cannot be undone.`,
  articleDeleted: (title: string) => `The article “${title}” has been deleted.`,
  backToList: 'Back to the knowledge base',
  backToArticle: 'Back to the article',
  backToCategory: 'Back to the category',
  conflictHeading: 'Someone else changed this article',
  conflict:
    'Since you opened this page, someone else saved a change to this article. Your changes have not been saved: what you changed is still in the form below, and the fields you did not change show what is saved now.',
  categoryConflictHeading: 'Someone else changed this category',
  categoryConflict:
    'Since you opened this page, someone else saved a change to this category. Your changes have not been saved: what you changed is still in the form below, and the fields you did not change show what is saved now.',
  versionMissingHeading: 'Not saved: the form is incomplete',
  versionMissing:
    'The form did not say which version it was opened from, as a page opened before an update of the help center may not. What you typed is still in the form below.',
  conflictNext:
    'Compare what you typed with the saved version. To keep yours, save again: it then replaces the saved version.',
  openSavedVersion: 'Open the saved version in a new tab',
  savedText: (language: string) => `The saved text in ${language}`,
  articleDeletedMeanwhile:
    'Someone else deleted this article since you opened it. What you typed is in the form below: create it again if it should stay.',
  categoryDeletedMeanwhile:
    'Someone else deleted this category since you opened it. What you typed is in the form below: create it again if it should stay.',
  deleteChangedMeanwhile:
    'Someone else changed this article since you opened it. Look at the saved version before you delete it.',
  errors: {
    SLUG_INVALID: 'Use only lower-case letters, digits and single hyphens (at most 80).',
    SLUG_TAKEN: 'Another item already uses this URL name. Choose another.',
    CATEGORY_NOT_FOUND: 'Choose one of the listed categories.',
    ARTICLE_NOT_FOUND: 'This article does not exist any more.',
    TRANSLATION_NOT_FOUND: 'Save a text in this language before you publish it.',
    PARENT_CYCLE: 'A category cannot be placed inside itself or one of its subcategories.',
    CATEGORY_NOT_EMPTY: 'Move or delete its subcategories and articles first.',
    TEXT_TOO_NESTED:
      'The text nests quotes or lists too deeply, or has too many _ and * marks or HTML tags. A line may start with at most 200 characters of quote marks, list markers and indentation; a text may hold at most 5,000 _ and * outside code (put code between backticks), and at most 10,000 HTML tags, code included.',
    positionInvalid: 'Enter a whole number from 0 to 9999.',
    nameForDescription: (language: string) =>
      `Fill in a name in ${language} too, or leave the description in ${language} empty.`,
    languageInvalid:
      'Articles are written in English or Dutch: open the article again and use its buttons.',
    EDITED_MEANWHILE:
      'Someone else changed this since you opened the page, so nothing was done. The page now shows what is saved: check it, then try again.',
    versionInvalid:
      'This form did not say which version it was opened from, so nothing was done. Open the page again and use its buttons.',
  },
};

export type KbAdminMessages = typeof kbAdminEn;
