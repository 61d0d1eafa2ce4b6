export * from "./api";
export * from "./bundle";
export * from "./bus";
export * from "./common";
export * from "./function";
export * from "./queue";
export * from "./table";
export * from "./topic";
