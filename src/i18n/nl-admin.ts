import type { AdminMessages } from './en-admin.js';

export const adminNl: AdminMessages = {
  title: 'Beheer',
  navLabel: 'Beheer',
  dashboard: 'Overzicht',
  users: 'Gebruikers',
  groups: 'Gebruikersgroepen',
  twoFactor: 'Tweestapsverificatie',
  knowledgeBase: 'Kennisbank',
  apiKeys: 'API-sleutels',
  audit: 'Auditlog',
};
