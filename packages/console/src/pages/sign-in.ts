/** The sign-in page: a console user's username and password (never the server key). */
import { field, h } from "../dom.js";
import { errorText } from "../page.js";
import type { ConsoleApi } from "../api.js";

export function signInPage(main: HTMLElement, api: ConsoleApi, message: string | undefined, signedIn: () => void): void {
  const username = h("input", { name: "username", autocomplete: "username", required: true, autofocus: true });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const error = h("p", { class: "error", role: "alert" }, message ?? "");
  const button = h("button", { type: "submit" }, "Sign in");
  const form = h(
    "form",
    {
      class: "sign-in",
      onsubmit: async (event: Event) => {
        event.preventDefault();
        button.disabled = true;
        error.textContent = "";
        try {
          await api.signIn(username.value, password.value);
          signedIn();
        } catch (err) {
          error.textContent = errorText(err);
          button.disabled = false;
          password.select();
        }
      },
    },
    h("h1", null, "Sign in to the console"),
    field("Username", username),
    field("Password", password),
    button,
    error,
  );
  main.replaceChildren(form);
  username.focus();
}
