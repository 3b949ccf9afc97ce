// A printout another page asks for (e.g. "打印签到表" on the education page): that page sets it
// and goes to the print page, which takes it once, chooses it and makes it.

import type { PrintRequest } from "./bindings";

let pending: PrintRequest | null = null;

export function requestPrint(request: PrintRequest) {
  pending = request;
}

/** The printout asked for, if any; asking again gives nothing until the next request. */
export function takePrintRequest(): PrintRequest | null {
  const request = pending;
  pending = null;
  return request;
}
