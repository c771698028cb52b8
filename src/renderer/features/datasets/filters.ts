// The grid's filter bar as form text, and how it becomes the contract's RowFilter. Pure.
import type { RowFilter, RowStatus } from '../../../shared/datasets.schema';
import { formatCount } from '../../ui/format';

export interface FilterForm {
  search: string;
  status: '' | RowStatus;
  /** `field=option`. */
  label: string;
  tag: string;
  labelerId: string;
  minTokens: string;
  maxTokens: string;
  duplicate: '' | 'exact' | 'near' | 'any' | 'unique';
  pii: '' | 'yes' | 'no';
  split: '' | 'train' | 'validation' | 'test';
}

export const EMPTY_FILTER: FilterForm = {
  search: '',
  status: '',
  label: '',
  tag: '',
  labelerId: '',
  minTokens: '',
  maxTokens: '',
  duplicate: '',
  pii: '',
  split: '',
};

/** A whole number ≥ 0, or null for empty or unreadable text (the field is then ignored). */
function tokenBound(text: string): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  return Number(t);
}

export function toRowFilter(f: FilterForm): RowFilter {
  return {
    search: f.search.trim(),
    status: f.status || null,
    label: f.label || null,
    tag: f.tag.trim() || null,
    labelerId: f.labelerId || null,
    minTokens: tokenBound(f.minTokens),
    maxTokens: tokenBound(f.maxTokens),
    duplicate: f.duplicate || null,
    pii: f.pii === '' ? null : f.pii === 'yes',
    split: f.split || null,
  };
}

/** True when the token field holds text that is not a whole number. */
export function badTokenBound(text: string): boolean {
  return text.trim() !== '' && tokenBound(text) === null;
}

export function activeFilterCount(f: FilterForm): number {
  return Object.values(toRowFilter(f)).filter((v) => v !== null && v !== '').length;
}

/** "1,234 rows", or "100,000+ rows" when counting stopped at the cap. */
export function countText(total: number, exact: boolean): string {
  return `${formatCount(total)}${exact ? '' : '+'} row${total === 1 && exact ? '' : 's'}`;
}
