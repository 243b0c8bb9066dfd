/** English words of the administration's frame: its navigation (SPEC §2.7). */
export const adminEn = {
  title: 'Administration',
  navLabel: 'Administration',
  dashboard: 'Dashboard',
  users: 'Users',
  groups: 'User groups',
  twoFactor: 'Two-factor authentication',
  knowledgeBase: 'Knowledge base',
  apiKeys: 'API keys',
  audit: 'Audit log',
};

export type AdminMessages = typeof adminEn;
