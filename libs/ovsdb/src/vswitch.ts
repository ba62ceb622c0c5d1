// `@ovs-fleet/ovsdb/vswitch`: the models generated from Open vSwitch's schemas, kept apart
// from the library's API (as libovsdb keeps generated models in their own package): the
// Open_vSwitch database (schema document, row types, table handles such as Bridge, Port,
// Controller, Queue) and the _Server database.
export * from './schemas/generated/open-vswitch';
export * from './schemas/generated/server';
