import type { AdapterUse } from '../../../shared/adapters.schema';

/** A form's list of targets; `targetAdapters` is aligned with `targetKeys`. */
export interface TargetListForm {
  targetKeys: string[];
  targetAdapters: AdapterUse[][];
}

export interface TargetListActions {
  setTarget(index: number, key: string): void;
  setTargetAdapters(index: number, adapters: AdapterUse[]): void;
  addTarget(): void;
  removeTarget(index: number): void;
}

type SetForm<F extends TargetListForm> = (fn: (s: { form: F }) => { form: F }) => void;

/** The target-list actions of a feature store whose `form` holds a TargetListForm. */
export function targetListActions<F extends TargetListForm>(set: SetForm<F>): TargetListActions {
  return {
    // Another model drops the adapters chosen for the old one.
    setTarget: (index, key) =>
      set((s) => ({
        form: { ...s.form, targetKeys: s.form.targetKeys.map((k, i) => (i === index ? key : k)), targetAdapters: s.form.targetKeys.map((_, i) => (i === index ? [] : (s.form.targetAdapters[i] ?? []))) },
      })),
    setTargetAdapters: (index, adapters) =>
      set((s) => ({ form: { ...s.form, targetAdapters: s.form.targetKeys.map((_, i) => (i === index ? adapters : (s.form.targetAdapters[i] ?? []))) } })),
    addTarget: () => set((s) => ({ form: { ...s.form, targetKeys: [...s.form.targetKeys, ''], targetAdapters: [...s.form.targetAdapters, []] } })),
    removeTarget: (index) =>
      set((s) => ({ form: { ...s.form, targetKeys: s.form.targetKeys.filter((_, i) => i !== index), targetAdapters: s.form.targetAdapters.filter((_, i) => i !== index) } })),
  };
}
