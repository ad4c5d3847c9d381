// The budget (selected positions per head) one sweep cell passes to the addon's benchmark. A cell
// may give it as a fraction of the context (tokens / 8 written out, e.g. 3001 / 8 = 375.125), but a
// budget counts positions: it is floored to an integer, at least 1, and must not exceed the
// context. Anything else is an error naming the cell.
export function sweepBudget(config) {
  const label = config.label ?? JSON.stringify(config);
  const { selected, tokens } = config;
  if (!Number.isInteger(tokens) || tokens < 1) {
    throw new Error(`sweep cell ${label}: tokens must be a positive integer, received ${tokens}`);
  }
  if (typeof selected !== 'number' || !Number.isFinite(selected) || selected < 1) {
    throw new Error(`sweep cell ${label}: selected must be a number ≥ 1, received ${selected}`);
  }
  const budget = Math.floor(selected);
  if (budget > tokens) {
    throw new Error(`sweep cell ${label}: selected ${selected} exceeds the context (${tokens} tokens)`);
  }
  return budget;
}
