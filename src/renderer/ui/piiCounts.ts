// How many PII matches of each kind a guard found, in words, as the Playground shows them under a run.

const KIND_WORDS: Record<string, [string, string]> = {
  id_card: ['ID number', 'ID numbers'],
  bank_card: ['bank card', 'bank cards'],
  phone: ['phone number', 'phone numbers'],
  email: ['email address', 'email addresses'],
};

/** "1 ID number, 2 email addresses"; custom rule names as they are. */
export function countsWords(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => {
      const words = KIND_WORDS[kind];
      return `${n} ${words ? words[n === 1 ? 0 : 1] : kind}`;
    })
    .join(', ');
}

export function totalCount(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
