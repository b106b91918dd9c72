export function youngGenerationChosen(execArgv: readonly string[], nodeOptions: string | undefined): boolean;
