export class ShowToastEvent extends CustomEvent {
  constructor(toast) {
    super("lightning__showtoast", { bubbles: true, composed: true, detail: toast });
  }
}
