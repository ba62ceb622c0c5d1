import { getMetadataStorage } from 'class-validator';

type MetadataStorage = ReturnType<typeof getMetadataStorage>;
type TargetRules = ReturnType<MetadataStorage['getTargetValidationMetadatas']>;
type GroupedRules = ReturnType<MetadataStorage['groupByPropertyName']>;

const installed = new WeakSet<MetadataStorage>();

/**
 * class-validator finds a class's rules by scanning every registered class on each
 * validation, and groups them by property again each time (typestack/class-validator#2686):
 * per request, work that grows with the number of DTO classes in the app. The rules of a class
 * are fixed once its module has loaded, so the storage remembers each lookup and each grouping
 * until a rule or schema is registered again (which forgets them all). Installs once per
 * storage; later calls do nothing.
 */
export function cacheValidationRules(storage: MetadataStorage = getMetadataStorage()): void {
  if (installed.has(storage)) return;
  installed.add(storage);
  const lookUp = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  let rules = new Map<unknown, Map<string, TargetRules>>();
  let grouped = new WeakMap<TargetRules, GroupedRules>();
  const forget = () => {
    rules = new Map();
    grouped = new WeakMap();
  };

  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = `${schema}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0000') ?? ''}\u0000${groups?.length ?? -1}`;
    let byOptions = rules.get(target);
    if (!byOptions) rules.set(target, (byOptions = new Map()));
    let found = byOptions.get(key);
    if (!found) byOptions.set(key, (found = lookUp(target, schema, always, strictGroups, groups)));
    return found;
  };
  storage.groupByPropertyName = (metadata) => {
    let found = grouped.get(metadata);
    if (!found) grouped.set(metadata, (found = group(metadata)));
    return found;
  };
  for (const register of ['addValidationMetadata', 'addConstraintMetadata', 'addValidationSchema'] as const) {
    const original = storage[register].bind(storage) as (argument: never) => void;
    storage[register] = ((argument: never) => {
      forget();
      original(argument);
    }) as never;
  }
}
