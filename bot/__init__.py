"""政协委员履职助手: dialogs, handlers, outbound messages and the ops CLI."""
