// Apex calls answered from the scenario's fixture (window.__STEPFORCE__), as the controller
// would answer them.
export function call(method, params) {
  const answer = window.__STEPFORCE__.apex[method];
  if (answer === undefined) {
    return Promise.reject({ body: { message: `No stub for ${method}` } });
  }
  return Promise.resolve(typeof answer === "function" ? answer(params) : answer);
}
