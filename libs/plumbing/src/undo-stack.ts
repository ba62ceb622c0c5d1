/** Undo actions registered step by step; `unwind` runs them newest first and keeps going past failures. */
export class UndoStack {
  private readonly actions: { label: string; undo: () => Promise<unknown> }[] = [];

  push(label: string, undo: () => Promise<unknown>): void {
    this.actions.push({ label, undo });
  }

  get labels(): string[] {
    return this.actions.map((a) => a.label);
  }

  /** Returns the errors of the undo actions that failed (empty: all undone). */
  async unwind(): Promise<Error[]> {
    const errors: Error[] = [];
    while (this.actions.length > 0) {
      const { label, undo } = this.actions.pop()!;
      try {
        await undo();
      } catch (error) {
        errors.push(new Error(`undo ${label}: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
      }
    }
    return errors;
  }
}
