// asl-validator 4 ships no type declarations.
declare module "asl-validator" {
    function validator(definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }): { isValid: boolean; errors: unknown[]; errorsText(separator?: string): string };
    export = validator;
}

// dynalite and kinesalite: servers created with options, used through their http.Server API.
declare module "dynalite" {
    function dynalite(options?: Record<string, unknown>): import("node:http").Server;
    export = dynalite;
}
declare module "kinesalite" {
    function kinesalite(options?: Record<string, unknown>): import("node:http").Server;
    export = kinesalite;
}
