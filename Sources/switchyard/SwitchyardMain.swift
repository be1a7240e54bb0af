import SwitchyardServer

@main enum SwitchyardMain { static func main() async { await SwitchyardCommand.start() } }
