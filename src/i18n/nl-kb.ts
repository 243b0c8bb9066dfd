import type { KbAdminMessages, KbMessages } from './en-kb.js';

export const kbNl: KbMessages = {
  title: 'Kennisbank',
  intro: 'Alle categorieën van de kennisbank.',
  breadcrumb: 'Kruimelpad',
  languageNames: { en: 'Engels', nl: 'Nederlands' },
  articleCount: (n: number) => (n === 1 ? '1 artikel' : `${n} artikelen`),
  seeAll: (n: number, category: string) => `Alle ${n} artikelen in ${category}`,
  subcategoriesHeading: 'Subcategorieën',
  articlesHeading: 'Artikelen',
  writtenBy: (author: string) => `Geschreven door ${author}`,
  defaultAuthor: 'Het team van het helpcentrum',
  updated: 'Bijgewerkt',
  relatedHeading: 'Gerelateerde artikelen',
  fallbackNotice: (language: string) =>
    `Dit artikel is nog niet in het Nederlands beschikbaar en wordt daarom in het ${language} getoond.`,
  searchTitle: 'Zoeken',
  searchLabel: 'Doorzoek de kennisbank',
  searchButton: 'Zoeken',
  resultsHeading: (query: string) => `Zoekresultaten voor „${query}”`,
  resultCount: (n: number) => (n === 1 ? '1 artikel gevonden.' : `${n} artikelen gevonden.`),
  resultsLimited: (n: number) =>
    `De ${n} beste resultaten worden getoond. Voeg een woord toe om verder te zoeken.`,
  noResults: (query: string) => `Geen artikelen gevonden voor „${query}”.`,
  noResultsHint:
    'Controleer de spelling, probeer andere of minder woorden, of blader door de categorieën.',
  emptyQuery: 'Typ een of meer woorden om op te zoeken.',
  onlyCommonWords: (query: string) =>
    `Op geen enkel woord uit „${query}” kan worden gezocht: heel gewone woorden worden overgeslagen. Probeer een specifieker woord.`,
  noWordsInQuery: (query: string) =>
    `„${query}” bevat geen letters of cijfers, dus er is niets om op te zoeken. Typ een woord.`,
  wordTooLong: (query: string, max: number) =>
    `Op geen enkel woord uit „${query}” kan worden gezocht: woorden langer dan ${max} tekens worden overgeslagen. Probeer een korter woord.`,
  browseCategories: 'Blader door de categorieën',
  inCategory: 'In',
};

export const kbAdminNl: KbAdminMessages = {
  draftFound:
    'Deze browser heeft tekst bewaard die je hier op {when} typte en die niet is opgeslagen.',
  draftRestore: 'Terugzetten',
  draftDiscard: 'Weggooien',
  draftChanged:
    'Het artikel is sindsdien opgeslagen: wie die tekst opslaat, ziet eerst beide versies.',
  title: 'Kennisbank',
  intro:
    'Categorieën en artikelen van de openbare kennisbank. Elk artikel heeft een tekst per taal; bezoekers zien alleen gepubliceerde teksten.',
  newArticle: 'Nieuw artikel',
  newCategory: 'Nieuwe categorie',
  categoriesHeading: 'Categorieën',
  articlesHeading: 'Artikelen',
  noCategories: 'Er zijn nog geen categorieën. Maak er eerst een voordat je een artikel schrijft.',
  noArticles: 'Er zijn nog geen artikelen.',
  columnName: 'Naam',
  columnTitle: 'Titel',
  columnCategory: 'Categorie',
  columnLanguages: 'Talen',
  columnArticles: 'Artikelen',
  inSubcategories: (n: number) => `(${n} in subcategorieën)`,
  columnUpdated: 'Bijgewerkt',
  published: 'Gepubliceerd',
  draft: 'Concept',
  missing: 'Niet geschreven',
  statusIn: (language: string, status: string) => `${language}: ${status}`,
  edit: 'Bewerken',
  editLabel: (name: string) => `Bewerken: ${name}`,
  topLevel: 'Geen (hoogste niveau)',

  categoryNewTitle: 'Nieuwe categorie',
  categoryEditTitle: (name: string) => `Categorie „${name}” bewerken`,
  parent: 'Bovenliggende categorie',
  slug: 'URL-naam',
  slugHint:
    'Kleine letters, cijfers en streepjes, zoals aan-de-slag. Wordt een deel van het adres.',
  articleSlugHint:
    'Kleine letters, cijfers en streepjes. Laat leeg om er een uit de titel te maken. Wijzigen verandert het adres van het artikel; links naar het oude adres leiden naar het nieuwe.',
  position: 'Volgorde',
  positionHint: 'Lagere getallen komen eerst.',
  nameIn: (language: string) => `Naam (${language})`,
  descriptionIn: (language: string) => `Beschrijving (${language})`,
  optionalTranslationHint: 'Optioneel. Als dit leeg is, zien bezoekers de Engelse tekst.',
  createCategory: 'Categorie aanmaken',
  saveCategory: 'Categorie opslaan',
  deleteCategory: 'Categorie verwijderen',
  deleteCategoryHint: 'Alleen een categorie zonder subcategorieën en artikelen kan weg.',
  categoryCreated: 'De categorie is aangemaakt.',
  categoryDeleted: 'De categorie is verwijderd.',

  articleNewTitle: 'Nieuw artikel',
  articleEditTitle: (title: string) => `„${title}” bewerken`,
  category: 'Categorie',
  language: 'Taal van het artikel',
  articleTitle: 'Titel',
  body: 'Tekst (Markdown)',
  bodyHint:
    'Markdown: ## kop, **vet**, _cursief_, - lijst, 1. genummerde lijst, [link](https://…), ![beschrijving van de afbeelding](/assets/kb/…). Afbeeldingen van andere sites worden links ernaar. Scripts en andere onveilige HTML worden verwijderd.',
  preview: 'Voorbeeld',
  previewHeading: 'Voorbeeld',
  previewNote: 'Zo ziet de tekst eruit. Hij is nog niet opgeslagen.',
  createArticle: 'Concept aanmaken',
  saveArticle: 'Opslaan',
  publish: 'Publiceren',
  unpublish: 'Publicatie intrekken',
  languagesLabel: 'Talen van dit artikel',
  textIn: (language: string) => `Tekst in het ${language}`,
  statusLine: (status: string) => `Status: ${status}`,
  notWrittenYet: (language: string) =>
    `Er is nog geen tekst in het ${language}. Schrijf hem hieronder; hij wordt als concept opgeslagen.`,
  publishedHint: 'Bezoekers kunnen deze tekst lezen. Opslaan verandert hem meteen op de site.',
  draftHint: 'Bezoekers zien deze tekst pas als hij gepubliceerd is.',
  lastChange: (who: string, when: string) => `Laatst gewijzigd door ${who} op ${when}`,
  someone: 'het systeem',
  viewOnSite: 'Bekijken op de site',
  articleCreated: 'Het artikel is als concept aangemaakt.',
  articlePublished: 'De tekst is gepubliceerd.',
  articleUnpublished: 'De publicatie is ingetrokken; bezoekers zien de tekst niet meer.',
  deleteArticle: 'Artikel verwijderen',
  deleteArticleHint:
    'Verwijdert het artikel in elke taal, gepubliceerd of niet. Daarna kan de categorie worden verwijderd als die leeg is.',
  deleteArticleConfirmHeading: (title: string) => `Het artikel „${title}” verwijderen?`,
  deleteArticleConfirm: (languages: string) =>
    `De teksten (${languages}) worden verwijderd en het adres werkt niet meer. Dit kan niet ongedaan worden gemaakt.`,
  articleDeleted: (title: string) => `Het artikel „${title}” is verwijderd.`,
  backToList: 'Terug naar de kennisbank',
  backToArticle: 'Terug naar het artikel',
  backToCategory: 'Terug naar de categorie',
  conflictHeading: 'Iemand anders heeft dit artikel gewijzigd',
  conflict:
    'Sinds je deze pagina opende, heeft iemand anders een wijziging in dit artikel opgeslagen. Jouw wijzigingen zijn niet opgeslagen: wat je wijzigde staat nog in het formulier hieronder, en de velden die je niet wijzigde tonen wat nu opgeslagen is.',
  categoryConflictHeading: 'Iemand anders heeft deze categorie gewijzigd',
  categoryConflict:
    'Sinds je deze pagina opende, heeft iemand anders een wijziging in deze categorie opgeslagen. Jouw wijzigingen zijn niet opgeslagen: wat je wijzigde staat nog in het formulier hieronder, en de velden die je niet wijzigde tonen wat nu opgeslagen is.',
  versionMissingHeading: 'Niet opgeslagen: het formulier is onvolledig',
  versionMissing:
    'Het formulier zei niet van welke versie het geopend is, zoals een pagina die voor een update van het helpcentrum geopend werd. Wat je typte staat nog in het formulier hieronder.',
  conflictNext:
    'Vergelijk wat je typte met de opgeslagen versie. Wil je jouw versie houden, sla dan opnieuw op: die vervangt dan de opgeslagen versie.',
  openSavedVersion: 'Open de opgeslagen versie in een nieuw tabblad',
  savedText: (language: string) => `De opgeslagen tekst in het ${language}`,
  articleDeletedMeanwhile:
    'Iemand anders heeft dit artikel verwijderd sinds je het opende. Wat je typte staat in het formulier hieronder: maak het opnieuw aan als het moet blijven.',
  categoryDeletedMeanwhile:
    'Iemand anders heeft deze categorie verwijderd sinds je haar opende. Wat je typte staat in het formulier hieronder: maak haar opnieuw aan als ze moet blijven.',
  deleteChangedMeanwhile:
    'Iemand anders heeft dit artikel gewijzigd sinds je het opende. Bekijk de opgeslagen versie voordat je het verwijdert.',
  errors: {
    SLUG_INVALID: 'Gebruik alleen kleine letters, cijfers en losse streepjes (hoogstens 80).',
    SLUG_TAKEN: 'Deze URL-naam is al in gebruik. Kies een andere.',
    CATEGORY_NOT_FOUND: 'Kies een van de getoonde categorieën.',
    ARTICLE_NOT_FOUND: 'Dit artikel bestaat niet meer.',
    TRANSLATION_NOT_FOUND: 'Sla eerst een tekst in deze taal op voordat je hem publiceert.',
    PARENT_CYCLE: 'Een categorie kan niet in zichzelf of in een van haar subcategorieën staan.',
    CATEGORY_NOT_EMPTY: 'Verplaats of verwijder eerst de subcategorieën en artikelen.',
    TEXT_TOO_NESTED:
      'De citaten of lijsten in de tekst zijn te diep genest, of de tekst heeft te veel _ en * of HTML-tags. Een regel mag met hooguit 200 tekens aan citaattekens, opsommingstekens en inspringing beginnen; een tekst mag hooguit 5.000 _ en * buiten code hebben (zet code tussen backticks), en hooguit 10.000 HTML-tags, code meegeteld.',
    positionInvalid: 'Vul een heel getal van 0 tot en met 9999 in.',
    nameForDescription: (language: string) =>
      `Vul ook een naam in het ${language} in, of laat de beschrijving in het ${language} leeg.`,
    languageInvalid:
      'Artikelen zijn in het Engels of het Nederlands: open het artikel opnieuw en gebruik de knoppen daar.',
    EDITED_MEANWHILE:
      'Iemand anders heeft dit gewijzigd sinds je de pagina opende, dus er is niets gedaan. De pagina toont nu wat er opgeslagen is: controleer het en probeer het opnieuw.',
    versionInvalid:
      'Dit formulier zei niet van welke versie het geopend is, dus er is niets gedaan. Open de pagina opnieuw en gebruik de knoppen daar.',
  },
};
