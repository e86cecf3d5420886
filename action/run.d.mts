// Types of action/run.mjs for the tests that import it (the action itself runs the .mjs as it is).
export declare const FLAG_INPUTS: Readonly<Record<string, string>>;
export declare function commandLine(env: Record<string, string | undefined>): string[];
export declare function main(env?: Record<string, string | undefined>): Promise<number>;
