import { DynamoDBClient, PutItemCommand, PutItemCommandInput } from "@aws-sdk/client-dynamodb";
import aslValidator from "asl-validator";
import type { StateMachine } from "aws-local-stepfunctions";

/** What the tests read from aws-local-stepfunctions' event log (its EventLog type is not exported). */
export interface LoggedEvent {
    type: string;
    state?: { name: string; input: unknown; output?: unknown };
    Error?: string;
}

/**
 * Local stand-ins for Step Functions' service integrations, so a workflow's Task states can run
 * in aws-local-stepfunctions against the real handlers and real local peers. Each binding takes
 * the state's effective input (after Parameters), exactly what Step Functions would send to the
 * service, and answers in the integration's shape.
 */

/** asl-validator's verdict on a copy (the validator annotates the object it is given). */
export function validateDefinition(definition: object): { isValid: boolean; errorsText: string } {
    const verdict = aslValidator(structuredClone(definition));
    return { isValid: verdict.isValid, errorsText: verdict.errorsText() };
}

/**
 * `arn:aws:states:::lambda:invoke`: the function gets `Payload`, the state gets
 * `{StatusCode, Payload}`; a thrown error keeps its name, which is the function's error type.
 */
export function lambdaInvoke(handler: (event: unknown) => Promise<unknown>) {
    return async (input: any) => ({ StatusCode: 200, ExecutedVersion: "$LATEST", Payload: (await handler(input.Payload)) as any });
}

/** `arn:aws:states:::dynamodb:putItem` against a real DynamoDB-compatible endpoint; errors named as Step Functions names them. */
export function dynamoPutItem(client: DynamoDBClient) {
    return async (input: any) => {
        try {
            await client.send(new PutItemCommand(input as PutItemCommandInput));
            return {};
        } catch (error) {
            const failure = new Error((error as Error).message);
            failure.name = `DynamoDB.${(error as Error).name}`;
            throw failure;
        }
    };
}

/** `arn:aws:states:::events:putEvents`: records the entries it was asked to put. */
export function recordPutEvents(sink: any[]) {
    return (input: any) => {
        sink.push(...input.Entries);
        return { Entries: input.Entries.map((_: unknown, i: number) => ({ EventId: `event-${sink.length}-${i}` })), FailedEntryCount: 0 };
    };
}

/** Runs a local execution to the end; returns its result or error and every event it logged. */
export async function execute(machine: StateMachine, input: unknown, options: Parameters<StateMachine["run"]>[1]): Promise<{ output?: any; error?: Error; events: LoggedEvent[] }> {
    const execution = machine.run(input as any, options);
    const events: LoggedEvent[] = [];
    const collecting = (async () => {
        for await (const event of execution.eventLogs) events.push(event);
    })();
    try {
        const output = await execution.result;
        await collecting;
        return { output, events };
    } catch (error) {
        await collecting;
        return { error: error as Error, events };
    }
}
