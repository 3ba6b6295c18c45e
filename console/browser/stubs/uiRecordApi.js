// getRecord answers the starter's name from the scenario's fixture.
export class getRecord {
  constructor(dataCallback) {
    this.dataCallback = dataCallback;
  }
  connect() {}
  disconnect() {}
  update() {
    const name = window.__STEPFORCE__.starter;
    this.dataCallback({
      data: { fields: { CreatedBy: { value: { fields: { Name: { value: name } } } } } },
      error: undefined
    });
  }
}

export function getFieldValue(record, field) {
  let value = record;
  for (const part of field.fieldApiName.split(".")) {
    value = value && value.fields && value.fields[part] && value.fields[part].value;
  }
  return value;
}
